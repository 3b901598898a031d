"""Fixtures for the data tests: an exchange simulator and a fresh cache per test."""

import pytest

from support.exchange_sim import ExchangeSim
from support.sim_config import SIM_GAPS, SIM_NOW, SIM_START


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
    from cracktrader.data import Cache

    return Cache(tmp_path / "cache")
