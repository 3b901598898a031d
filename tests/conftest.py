"""Fixtures for the data tests: an exchange simulator and a fresh cache per test."""

import pytest

from support.exchange_sim import ExchangeSim

DAY = 86_400_000
SIM_START = 1_704_067_200_000  # 2024-01-01
SIM_NOW = SIM_START + 5 * DAY + 12 * 3_600_000 + 34_567  # mid-bar: the last bar is still open
SIM_GAP = (SIM_START + DAY + 3_600_000, SIM_START + DAY + 3_600_000 + 30 * 60_000)  # 30 minutes
SIM_GAPS = {"BTC/USDT": [SIM_GAP]}


@pytest.fixture(scope="session")
def exchange_sim():
    sim = ExchangeSim(start=SIM_START, now=SIM_NOW, gaps=SIM_GAPS).start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(exchange_sim):
    """The session's simulator with no faults and an empty request log."""
    exchange_sim.reset()
    yield exchange_sim
    exchange_sim.reset()


@pytest.fixture
def cache(tmp_path):
    from cracktrader.data.store import Cache

    return Cache(tmp_path / "cache")
