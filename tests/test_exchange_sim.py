"""The simulator answers like Binance's spot API where ccxt and our fetcher rely on it."""

import json
import urllib.error
import urllib.parse
import urllib.request
from types import SimpleNamespace

from support.sim_config import SIM_GAP, SIM_NOW, SIM_START
from support.exchange_sim import Fault


def get(sim, path, **params):
    url = f"{sim.url}{path}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            status, headers, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, body = e.code, e.headers, e.read()
    return SimpleNamespace(status_code=status, headers=headers, json=lambda: json.loads(body))


def test_klines_limits_and_ranges(sim):
    r = get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="1m", startTime=SIM_START)
    bars = r.json()
    assert r.status_code == 200 and len(bars) == 500 and bars[0][0] == SIM_START  # default limit
    assert bars[0][6] == SIM_START + 59_999 and isinstance(bars[0][1], str)
    assert len(get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="1m", startTime=SIM_START, limit=1000).json()) == 1000
    for bad in (0, 1001):
        r = get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="1m", limit=bad)
        assert r.status_code == 400 and r.json()["code"] == -1130
    r = get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="1h", startTime=SIM_START + 1, endTime=SIM_START + 3 * 3_600_000)
    assert [b[0] for b in r.json()] == [SIM_START + 3_600_000, SIM_START + 2 * 3_600_000, SIM_START + 3 * 3_600_000]
    latest = get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="1h", limit=2).json()
    assert latest[-1][0] == SIM_NOW // 3_600_000 * 3_600_000  # the open bar is included
    before = get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="1m", endTime=SIM_START + 10 * 60_000, limit=3).json()
    assert [b[0] for b in before] == [SIM_START + k * 60_000 for k in (8, 9, 10)]
    gap = get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="1m", startTime=SIM_GAP[0], limit=1).json()
    assert gap[0][0] == SIM_GAP[1]  # the first bar after the outage


def test_errors_have_binance_codes(sim):
    assert get(sim, "/api/v3/klines", symbol="NOPE", interval="1m").json() == {"code": -1121, "msg": "Invalid symbol."}
    assert get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="7m").json()["code"] == -1120
    assert get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="1m", startTime=5, endTime=1).json()["code"] == -1023
    assert get(sim, "/api/v3/klines", interval="1m").json()["code"] == -1102


def test_exchange_info_and_time(sim):
    info = get(sim, "/api/v3/exchangeInfo").json()
    assert [s["symbol"] for s in info["symbols"]] == ["BTCUSDT", "ETHUSDT", "ETHBTC"]
    assert {f["filterType"] for f in info["symbols"][0]["filters"]} >= {"PRICE_FILTER", "LOT_SIZE", "NOTIONAL"}
    assert get(sim, "/api/v3/time").json() == {"serverTime": SIM_NOW}


def test_faults(sim):
    sim.faults.add(Fault(status=429, retry_after=3, times=1, after=1))
    assert get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="1m").status_code == 200
    r = get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="1m")
    assert r.status_code == 429 and r.headers["Retry-After"] == "3" and r.json()["code"] == -1003
    assert get(sim, "/api/v3/klines", symbol="BTCUSDT", interval="1m").status_code == 200
    assert [r["fault"] is not None for r in sim.requests] == [False, True, False]
