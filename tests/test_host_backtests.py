"""POST /api/backtests: the browser's run path on the server, guarded by the token."""

import json

import pytest

import cracktrader as ct
from cracktrader import runner
from cracktrader.examples import source
from cracktrader.host.app import create_app
from cracktrader.host.code_runs import Limits
from cracktrader.synthetic import random_walk
from support.host_client import local_client

H = 3_600_000


def candles(n=400):
    close = random_walk(n, seed=5)
    return ct.Candles.from_columns([i * H for i in range(n)], close, [c * 1.01 for c in close],
                                   [c * 0.99 for c in close], close, [1.0] * n,
                                   exchange="binance", symbol="BTC/USDT", timeframe="1h")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("host")
    web = root / "web"
    (web / "data").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html>")
    (web / "site.json").write_text(json.dumps({"server": False, "datasets": []}))
    ct.data.Cache(root / "cache").write(candles())
    return local_client(create_app(web, token="tok", cache_dir=root / "cache", limits=Limits(timeout_seconds=20)))


AUTH = {"Authorization": "Bearer tok"}


def post(client, body, headers=AUTH):
    return client.post("/api/backtests", content=json.dumps(body), headers=headers)


def test_requires_the_token(client):
    body = {"strategy": source("sma_cross"), "dataset": "binance.BTC-USDT.1h"}
    assert post(client, body, headers={}).status_code == 401
    assert post(client, body, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_runs_like_the_runner(client):
    body = {"strategy": source("sma_cross"), "dataset": "binance.BTC-USDT.1h", "cash": 5000,
            "commission": 0.001, "params": {"fast": 5}}
    r = post(client, body)
    assert r.status_code == 200, r.text
    local = runner.run_source(source("sma_cross"), candles(), params={"fast": 5},
                              settings={"cash": 5000, "commission": 0.001}).result()
    assert r.json()["result"] == json.loads(local.to_json())
    assert r.json()["bars"] == 400 and len(r.json()["result"]["trades"]) > 0
    assert r.headers["content-type"] == "application/json" and list(r.json()) == ["result", "bars", "seconds", "overlays"]
    assert 0 < r.json()["seconds"] < 60
    # what the page draws, as the browser's run gives it: the strategy's indicator lines
    engine = runner.run_source(source("sma_cross"), candles(), params={"fast": 5}, settings={"cash": 5000, "commission": 0.001})
    assert r.json()["overlays"] == runner.chart_overlays(engine)
    assert [o["name"] for o in r.json()["overlays"]] == ["SMA(close, 5)", "SMA(close, 30)"]
    assert r.json()["overlays"][0]["values"][:4] == [None] * 4 and r.json()["overlays"][0]["values"][4] > 0


SIGNALS = """import cracktrader as ct

class Cross(ct.vectorized.SignalStrategy):
    params = dict(n=12)

    def signals(self):
        sma = ct.ind.SMA(self.data.close, self.p.n)
        return ct.vectorized.Signals(ct.ind.CROSSOVER(self.data.close, sma), ct.ind.CROSSUNDER(self.data.close, sma),
                                     direction="both", trail_stop=0.02)
"""


def test_a_signal_strategy_runs_on_the_kernel_and_the_result_says_so(client):
    body = {"strategy": SIGNALS, "dataset": "binance.BTC-USDT.1h", "commission": 0.001, "params": {"n": 8}}
    fast, slow = post(client, body), post(client, {**body, "engine": "event"})
    assert fast.status_code == slow.status_code == 200, fast.text + slow.text
    fast, slow = fast.json()["result"], slow.json()["result"]
    assert (fast.pop("engine"), slow.pop("engine")) == ("vectorized", "event")
    assert fast == slow and len(fast["trades"]) > 5
    refused = post(client, {"strategy": source("sma_cross"), "dataset": "binance.BTC-USDT.1h", "engine": "vectorized"})
    assert refused.status_code == 422 and refused.json()["kind"] == "settings"
    assert refused.json()["error"].startswith("engine='vectorized': SmaCross does not declare its trades as signals")


@pytest.mark.parametrize(
    "body, status, expect",
    [
        ({"dataset": "binance.BTC-USDT.1h"}, 400, {"kind": "request"}),
        ({"strategy": "x", "dataset": "binance.ETH-USDT.1h"}, 404, {"kind": "request"}),
        ({"strategy": "x", "dataset": "../etc"}, 400, {"kind": "request"}),
        ({"strategy": "x", "dataset": "binance.BTC-USDT.1h", "frobnicate": 1}, 400, {"kind": "request"}),
        ({"strategy": "import cracktrader as ct\nclass S(ct.Strategy):\n    def next(self):\n        1/0\n",
          "dataset": "binance.BTC-USDT.1h"}, 422, {"kind": "strategy", "line": 4}),
        ({"strategy": "def (:\n", "dataset": "binance.BTC-USDT.1h"}, 422, {"kind": "strategy", "line": 1}),
        ({"strategy": source("sma_cross"), "dataset": "binance.BTC-USDT.1h", "cash": -1}, 422, {"kind": "settings"}),
        ({"strategy": source("sma_cross"), "dataset": "binance.BTC-USDT.1h", "params": {"nope": 1}}, 422, {"kind": "settings"}),
    ],
)
def test_bad_requests(client, body, status, expect):
    r = post(client, body)
    assert r.status_code == status, r.text
    got = r.json()
    assert got["error"]
    assert {k: got.get(k) for k in expect} == expect


def test_oversized_body_is_413(client):
    r = client.post("/api/backtests", content=b"x" * 1_000_001, headers=AUTH)
    assert r.status_code == 413


def test_runaway_strategy_is_stopped(tmp_path):
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html>")
    (web / "site.json").write_text("{}")
    ct.data.Cache(tmp_path / "cache").write(candles())
    client = local_client(create_app(web, token="tok", cache_dir=tmp_path / "cache", limits=Limits(timeout_seconds=1.5)))
    loop = "import cracktrader as ct\nclass S(ct.Strategy):\n    def next(self):\n        while True:\n            pass\n"
    r = post(client, {"strategy": loop, "dataset": "binance.BTC-USDT.1h"})
    assert r.status_code == 408 and r.json()["kind"] == "timeout"


def test_runs_on_a_range_at_a_longer_timeframe(client):
    body = {"strategy": source("sma_cross"), "dataset": "binance.BTC-USDT.1h", "since": 40 * H, "until": 360 * H,
            "timeframe": "2h", "params": {"fast": 3, "slow": 8}}
    r = post(client, body)
    assert r.status_code == 200, r.text
    view = {"since": 40 * H, "until": 360 * H, "timeframe": "2h"}
    local = runner.run_view(source("sma_cross"), candles(), view, params={"fast": 3, "slow": 8}).result()
    assert r.json()["bars"] == 160 and r.json()["result"] == json.loads(local.to_json())
    # the indicators were warmed up on the 7 two-hour bars before the range: it trades from its start
    bare = runner.run_source(source("sma_cross"), ct.data.select(candles(), **view), params={"fast": 3, "slow": 8}).result()
    assert local.times[0] == bare.times[0] == 40 * H and local.trades[0].entry_time < bare.trades[0].entry_time


def test_runs_with_saved_market_rules_and_intrabar_data(client):
    body = {"strategy": source("atr_bracket"), "dataset": "binance.BTC-USDT.1h", "timeframe": "4h", "since": 100 * H,
            "market_rules": "binance:BTC/USDT", "intrabar_data": True, "sizing": "50%", "leverage": 2, "fill": "close",
            "intrabar": "favorable"}
    r = post(client, body)
    assert r.status_code == 200, r.text
    settings = {k: body[k] for k in ("market_rules", "intrabar_data", "sizing", "leverage", "fill", "intrabar")}
    local = runner.run_view(source("atr_bracket"), candles(), {"since": 100 * H, "timeframe": "4h"}, settings=settings)
    assert r.json()["result"] == json.loads(local.result().to_json())


def test_an_empty_range_names_the_datasets_span(client):
    r = post(client, {"strategy": source("sma_cross"), "dataset": "binance.BTC-USDT.1h", "since": 1000 * H})
    assert r.status_code == 422 and r.json()["rule"] == "empty_range"
    assert "the data spans 1970-01-01 to 1970-01-17" in r.json()["error"], r.text


@pytest.mark.parametrize("timeframe, status, message", [
    ("1x", 400, "unknown timeframe '1x'"),
    (60, 400, "timeframe must be a string"),
    ("30m", 422, "cannot build 30m bars from 1h bars"),
])
def test_a_bad_timeframe_is_named(client, timeframe, status, message):
    r = post(client, {"strategy": source("sma_cross"), "dataset": "binance.BTC-USDT.1h", "timeframe": timeframe})
    assert r.status_code == status and message in r.json()["error"], r.text
