"""Live-test helpers: a trading exchange simulator per test (its clock runs, the test moves it
bar by bar), session configs pointing at it (fail-closed: every ccxt URL is the simulator's),
and driving sessions in this process or as `cracktrader live` subprocesses."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from support.exchange_sim import ExchangeSim
from support.sim_config import DAY, SIM_START

import cracktrader as ct
from cracktrader.live import SessionConfig
from cracktrader.live.session import Session

STRATEGIES = Path(__file__).with_name("live_strategies.py")
CLI = str(Path(sys.executable).with_name("cracktrader"))
MINUTE = 60_000
START = SIM_START + 2 * DAY  # a bar boundary: sessions start 1.5 s after it
KEY, SECRET = "simkey-7f3a9c", "simsecret-c41d2e8b"


def trading_sim(**trading):
    """A started simulator whose clock runs, at START + 1.5 s, with an account holding 10,000 USDT."""
    sim = ExchangeSim(start=SIM_START, now=START + 1500, horizon=START + DAY, rate=1.0, **trading).start()
    sim.add_account(KEY, SECRET, USDT="10000", BTC="0")
    return sim


def sim_fixture(**trading):
    """A pytest fixture giving each test its own `trading_sim(**trading)`, stopped after it:
    `sim = sim_fixture(fee_asset="quote")` in a test module."""
    @pytest.fixture
    def sim():
        s = trading_sim(**trading)
        yield s
        s.stop()
    return sim


def exchange_config(sim):
    """The simulator's fail-closed config, with a short receive window: an order request the
    simulator has not seen 2 s after it was stamped can never execute (restarts prove absence
    sooner)."""
    cfg = sim.exchange_config()
    cfg["options"]["recvWindow"] = 2000
    return cfg


def config(sim, tmp_path, mode="paper", strategy="Cross", params=None, timeframe="1m", **settings):
    settings.setdefault("warmup", 30)
    settings.setdefault("market_data", "rest")  # drive() polls once per bar: bars must be there at once
    settings.setdefault("cash", 10_000.0)
    settings.setdefault("clock", "exchange")  # the simulator's clock jumps
    settings.setdefault("poll", 0.05)
    return SessionConfig(strategy_source=STRATEGIES.read_text(), strategy_class=strategy,
                         strategy_file=str(STRATEGIES), exchange="binance", symbol="BTC/USDT", timeframe=timeframe,
                         mode=mode, sandbox=True, params=dict(params or {}), exchange_config=exchange_config(sim),
                         cache=str(tmp_path / "cache"), **settings)


def session(cfg, journal, **options):
    options.setdefault("keys", {"apiKey": KEY, "secret": SECRET})
    s = Session(cfg, journal, **options).start()
    assert_loopback(s.client)
    return s


def assert_loopback(client):
    """Every URL ccxt would use points at 127.0.0.1 (fail-closed: nothing reaches an exchange)."""
    urls = []

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, str):
            urls.append(v)

    walk(client.urls["api"])
    assert urls and all(urlsplit(u).hostname == "127.0.0.1" for u in urls), urls


def bar_time(k):
    """The open time of the k-th bar after START."""
    return START + k * MINUTE


def drive(sim, sessions, bars, first=1, bar_ms=MINUTE, into=1500):
    """Moves the exchange's clock bar by bar (`into` ms into each new bar) and polls the sessions."""
    for k in range(first, first + bars):
        sim.clock.set(START + k * bar_ms + into)
        for s in sessions:
            s.poll()


def rules_of(sim):
    import ccxt

    from cracktrader.kernels import MarketRules

    client = ccxt.binance(sim.ccxt_options())
    client.load_markets()
    return MarketRules.from_ccxt(client.market("BTC/USDT"), client.precisionMode)


def journal_candles(journal_path, timeframe="1m"):
    """Every bar a session used (warm-up and live), as Candles."""
    from cracktrader.live.journal import Journal

    j = Journal.open(journal_path)
    rows = j.bars(warmup=True) + j.bars(warmup=False)
    j.close()
    return ct.Candles.from_columns(*zip(*rows), symbol="BTC/USDT", timeframe=timeframe)


# --- subprocesses ---------------------------------------------------------------------------------
def cli_args(sim, tmp_path, journal, mode="exchange", strategy="Every", params=None, extra=()):
    cfg_file = tmp_path / "exchange.json"
    cfg_file.write_text(json.dumps(exchange_config(sim)))
    args = [CLI, "live", "run", f"{STRATEGIES}:{strategy}", "--exchange", "binance", "--symbol", "BTC/USDT",
            "--timeframe", "1m", "--mode", mode, "--sandbox", "--journal", str(journal), "--exchange-config",
            str(cfg_file), "--clock", "exchange", "--poll", "0.05", "--warmup", "30", "--cache", str(tmp_path / "cache"),
            "--cash", "10000", "--market-data", "rest"]
    for k, v in (params or {}).items():
        args += ["--param", f"{k}={v}"]
    return args + list(extra)


def env(**extra):
    out = dict(os.environ, CRACKTRADER_BINANCE_API_KEY=KEY, CRACKTRADER_BINANCE_SECRET=SECRET, PYTHONUNBUFFERED="1")
    out.pop("CRACKTRADER_CRASH_AT", None)
    out.update(extra)
    return out


def start(args, log, **extra_env):
    return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env(**extra_env))


def wait_until(predicate, timeout=30, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
