"""Fetching through real ccxt from the exchange simulator over HTTP: pagination, resume,
faults (429 with Retry-After, 5xx, timeouts), gaps, the open bar, and the CLI."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import ccxt
import pytest

from support.sim_config import DAY, SIM_GAP, SIM_NOW, SIM_START
from cracktrader.data import FetchError, fetch, verify
from cracktrader.data.resample import resample
from support.candles import rows
from support.exchange_sim import Fault

ID = "binance.BTC-USDT.1m"
CLI = str(Path(sys.executable).with_name("cracktrader"))


def client(sim, **extra):
    return ccxt.binance(sim.ccxt_options(**extra))


def expected(sim, symbol, interval_ms, since, until):
    """The simulator's own bars, as floats."""
    market = next(m for m in sim.data.markets if m.symbol == symbol)
    return [(t, o / 100, h / 100, low / 100, c / 100, v / 64) for t, o, h, low, c, v in sim.data.bars(market, interval_ms)
            if since <= t < until]


def test_fetch_pages_through_the_range(sim, cache):
    until = SIM_START + 3 * DAY
    report = fetch(client(sim), "BTC/USDT", "1m", SIM_START, until, cache=cache)
    want = expected(sim, "BTC/USDT", 60_000, SIM_START, until)
    assert rows(cache.read(ID)) == want
    pages = sim.klines_requests()
    assert len(pages) == -(-len(want) // 1000)  # Binance's largest page: 1000 bars
    assert [int(p["startTime"]) for p in pages][:2] == [SIM_START, SIM_START + 1000 * 60_000]
    assert all(p["limit"] == "1000" and int(p["endTime"]) == until - 1 for p in pages)
    assert report.rows == len(want) == 3 * 1440 - 30
    assert report.gaps == [SIM_GAP] and cache.manifest(ID).gaps == [SIM_GAP]
    assert verify(cache) == []


def test_only_closed_bars_are_kept(sim, cache):
    report = fetch(client(sim), "ETH/USDT", "1h", SIM_START, None, cache=cache)
    got = cache.read("binance.ETH-USDT.1h")
    assert got.time[-1] + 3_600_000 <= SIM_NOW  # the bar open at "now" is not stored
    assert rows(got) == expected(sim, "ETH/USDT", 3_600_000, SIM_START, SIM_NOW // 3_600_000 * 3_600_000)
    assert report.until == SIM_NOW // 3_600_000 * 3_600_000


def test_resume_fetches_only_what_is_missing(sim, cache):
    ex = client(sim)
    fetch(ex, "BTC/USDT", "1m", SIM_START + DAY, SIM_START + 2 * DAY, cache=cache)
    sim.reset()
    fetch(ex, "BTC/USDT", "1m", SIM_START, SIM_START + 3 * DAY, cache=cache)
    starts = [int(p["startTime"]) for p in sim.klines_requests()]
    assert all(s < SIM_START + DAY or s >= SIM_START + 2 * DAY for s in starts)
    assert SIM_START in starts and SIM_START + 2 * DAY in starts
    assert rows(cache.read(ID)) == expected(sim, "BTC/USDT", 60_000, SIM_START, SIM_START + 3 * DAY)
    sim.reset()
    report = fetch(ex, "BTC/USDT", "1m", SIM_START, SIM_START + 3 * DAY, cache=cache)
    assert report.up_to_date and sim.klines_requests() == []
    report = fetch(ex, "BTC/USDT", "1m", None, SIM_START + 4 * DAY, cache=cache)  # no since: from the cached end
    assert report.since == SIM_START + 3 * DAY and [int(p["startTime"]) for p in sim.klines_requests()][0] == SIM_START + 3 * DAY


def test_an_interrupted_fetch_keeps_its_pages_and_resumes(sim, cache):
    ex = client(sim)
    sim.faults.add(Fault(status=500, after=2, times=99))
    with pytest.raises(FetchError, match=r"failed 2 times, last: ExchangeNotAvailable"):
        fetch(ex, "BTC/USDT", "1m", SIM_START, SIM_START + 2 * DAY, cache=cache, retries=1, backoff=0, flush_rows=500)
    kept = cache.read(ID)
    end = kept.time[-1] + 60_000  # two pages of 1000 bars (the 30-minute gap is in the second)
    assert len(kept) == 2000 and cache.manifest(ID).covered == [(SIM_START, end)]
    sim.reset()
    fetch(ex, "BTC/USDT", "1m", SIM_START, SIM_START + 2 * DAY, cache=cache)
    assert int(sim.klines_requests()[0]["startTime"]) == end
    assert rows(cache.read(ID)) == expected(sim, "BTC/USDT", 60_000, SIM_START, SIM_START + 2 * DAY)


def test_rate_limits_wait_for_retry_after(sim, cache):
    waits = []
    sim.faults.add(Fault(status=429, retry_after=7, times=2))
    sim.faults.add(Fault(status=418, retry_after=30, times=1, after=3))
    report = fetch(client(sim), "BTC/USDT", "1m", SIM_START, SIM_START + DAY, cache=cache, sleep=waits.append)
    assert waits == [7.0, 7.0, 30.0] and report.retries == 3
    assert rows(cache.read(ID)) == expected(sim, "BTC/USDT", 60_000, SIM_START, SIM_START + DAY)


def test_retry_after_is_really_waited(sim, cache):
    sim.faults.add(Fault(status=429, retry_after=1, times=1))
    t = time.monotonic()
    fetch(client(sim), "ETH/BTC", "1h", SIM_START, SIM_START + DAY, cache=cache)
    assert time.monotonic() - t >= 1.0
    assert [r["fault"] is not None for r in sim.requests if r["path"] == "/api/v3/klines"] == [True, False]


def test_server_errors_and_timeouts_back_off(sim, cache):
    waits = []
    sim.faults.add(Fault(status=503, times=2))
    sim.faults.add(Fault(status=None, delay=1.0, times=1, after=3))  # longer than the client's timeout
    ex = client(sim, timeout=300)
    report = fetch(ex, "BTC/USDT", "1m", SIM_START, SIM_START + 2 * DAY, cache=cache, backoff=0.5, sleep=waits.append)
    assert waits == [0.5, 1.0, 0.5] and report.retries == 3
    assert rows(cache.read(ID)) == expected(sim, "BTC/USDT", 60_000, SIM_START, SIM_START + 2 * DAY)
    sim.faults.add(Fault(status=None, delay=1.0, times=9))
    with pytest.raises(FetchError, match="failed 3 times, last: RequestTimeout"):
        fetch(ex, "ETH/USDT", "1m", SIM_START, SIM_START + DAY, cache=cache, retries=2, backoff=0, sleep=waits.append)


def test_errors_that_are_not_worth_retrying(sim, cache):
    ex = client(sim)
    with pytest.raises(FetchError, match="^binance has no market DOGE/USDT$"):
        fetch(ex, "DOGE/USDT", "1m", SIM_START, cache=cache)
    with pytest.raises(FetchError, match="has no 7m candles"):
        fetch(ex, "BTC/USDT", "7m", SIM_START, cache=cache)
    with pytest.raises(FetchError, match="not cached yet: give --since"):
        fetch(ex, "BTC/USDT", "1m", None, cache=cache)
    with pytest.raises(FetchError, match=r"nothing to fetch: the range starts at or after its end \(2024-01-07T00:00Z >= 2024-01-06T12:00Z"):
        fetch(ex, "BTC/USDT", "1m", SIM_START + 6 * DAY, cache=cache)  # after the exchange's now
    with pytest.raises(FetchError, match="unknown exchange 'nosuchexchange'"):
        fetch("nosuchexchange", "BTC/USDT", "1m", SIM_START, cache=cache)
    assert cache.ids() == []


def test_invalid_bars_from_the_exchange_are_refused(sim, cache):
    bad = SIM_START + 1400 * 60_000
    sim.broken.add(("BTC/USDT", bad))
    with pytest.raises(FetchError, match=r"^binance sent an invalid BTC/USDT 1m bar at 2024-01-01T23:20Z: high .* is below "
                                         r"max\(open .*, close .*\) \[high_below_open_close\]$"):
        fetch(client(sim), "BTC/USDT", "1m", SIM_START, SIM_START + 2 * DAY, cache=cache, flush_rows=1000)
    assert cache.read(ID).time[-1] < bad  # the pages before it are kept, nothing after
    assert verify(cache) == []


def test_resampled_minutes_equal_the_exchange_hours(sim, cache):
    ex = client(sim)
    fetch(ex, "BTC/USDT", "1m", SIM_START, SIM_START + 2 * DAY, cache=cache)
    fetch(ex, "BTC/USDT", "1h", SIM_START, SIM_START + 2 * DAY, cache=cache)
    hours = resample(cache.read(ID), "1h")
    assert rows(hours) == rows(cache.read("binance.BTC-USDT.1h"))


def test_cli_fetch(sim, tmp_path):
    env = {**os.environ, "CRACKTRADER_CACHE_DIR": str(tmp_path)}
    options = json.dumps(sim.ccxt_options())
    args = [CLI, "data", "fetch", "binance", "BTC/USDT", "1m", "--since", "2024-01-01", "--until", "2024-01-02T12:00", "--ccxt-options", options]
    r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("binance.BTC-USDT.1m: 2,130 bars fetched from 2024-01-01 00:00 to 2024-01-02 12:00")
    assert "1 gaps at the exchange (30 bars)" in r.stdout and r.stderr == ""  # no progress bar off a terminal
    r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and "already cached" in r.stdout
    sim.faults.add(Fault(status=500, times=99))
    r = subprocess.run([*args[:6], "--since", "2023-12-31", "--retries", "0", *args[-2:]], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("cracktrader data: binance failed 1 times, last: ExchangeNotAvailable")
