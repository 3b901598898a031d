"""GET /api/datasets and /api/datasets/{id}/candles against a real cache (pyarrow, Parquet)."""

import json

import pyarrow as pa
import pytest

from cracktrader.candles import Candles
from cracktrader.data import Cache
from cracktrader.data.arrow import info_of
from cracktrader.host.app import create_app
from support.host_client import local_client

H = 3_600_000
T0 = 1_700_000_000_000 - 1_700_000_000_000 % (24 * H)  # a day boundary: 4h bars align


def hourly(n):
    closes = [100.0 + (i % 7) for i in range(n)]
    return Candles.from_columns(
        [T0 + i * H for i in range(n)], closes, [c + 1 for c in closes], [c - 1 for c in closes], closes,
        [10.0] * n, exchange="binance", symbol="BTC/USDT", timeframe="1h",
    )


@pytest.fixture
def client(tmp_path):
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html>")
    (web / "site.json").write_text('{"server": false, "datasets": []}')
    Cache(tmp_path / "cache").write(hourly(48))
    return local_client(create_app(web, token="t", cache_dir=tmp_path / "cache"))


def arrow(response):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apache.arrow.stream"
    return pa.ipc.open_stream(response.content).read_all()


def test_lists_cached_datasets(client):
    [ds] = client.get("/api/datasets").json()["datasets"]
    assert (ds["id"], ds["rows"], ds["first"], ds["timeframe"]) == ("binance.BTC-USDT.1h", 48, T0, "1h")


def test_candles_as_arrow_stream(client):
    table = arrow(client.get("/api/datasets/binance.BTC-USDT.1h/candles"))
    assert table.column_names == ["time", "open", "high", "low", "close", "volume"]
    assert table.num_rows == 48 and table["time"][0].as_py() == T0
    part = arrow(client.get(f"/api/datasets/binance.BTC-USDT.1h/candles?since={T0 + 10 * H}&until={T0 + 20 * H}"))
    assert part["time"].to_pylist() == [T0 + i * H for i in range(10, 20)]


def test_resampled_candles(client):
    day = arrow(client.get("/api/datasets/binance.BTC-USDT.1h/candles?timeframe=4h"))
    assert day.num_rows == 12
    assert day["high"][0].as_py() == max(100.0 + (i % 7) + 1 for i in range(4))
    assert day["volume"][0].as_py() == 40.0
    assert info_of(day.schema) == dict(id="binance.BTC-USDT.1h", exchange="binance", symbol="BTC/USDT", timeframe="4h")


def test_the_last_bars_before_a_time_for_a_warm_up(client):
    last = arrow(client.get(f"/api/datasets/binance.BTC-USDT.1h/candles?until={T0 + 30 * H}&last=5"))
    assert last["time"].to_pylist() == [T0 + i * H for i in range(25, 30)]
    four = arrow(client.get(f"/api/datasets/binance.BTC-USDT.1h/candles?until={T0 + 40 * H}&timeframe=4h&last=3"))
    assert four["time"].to_pylist() == [T0 + i * H for i in (24, 28, 32, 36)][1:]
    assert four["volume"].to_pylist() == [40.0] * 3
    early = arrow(client.get(f"/api/datasets/binance.BTC-USDT.1h/candles?until={T0 + 3 * H}&last=10"))
    assert early["time"].to_pylist() == [T0, T0 + H, T0 + 2 * H]  # all there is
    assert client.get("/api/datasets/binance.BTC-USDT.1h/candles?last=0").status_code == 400


@pytest.mark.parametrize(
    "path, status, message",
    [
        ("/api/datasets/binance.ETH-USDT.1h/candles", 404, "no dataset binance.ETH-USDT.1h"),
        ("/api/datasets/..%2F..%2Fetc.passwd.1h/candles", 404, "no API endpoint"),
        ("/api/datasets/binance.%2E%2E.1h/candles", 400, "bad dataset id"),
        ("/api/datasets/not-an-id/candles", 400, "bad dataset id"),
        ("/api/datasets/binance.BTC-USDT.1h/candles?since=yesterday", 400, "since must be a time in UTC milliseconds"),
        (f"/api/datasets/binance.BTC-USDT.1h/candles?since={T0 + 5 * H}&until={T0}", 400, "empty range"),
        ("/api/datasets/binance.BTC-USDT.1h/candles?timeframe=1m", 400, "cannot resample 1h candles to the shorter 1m"),
        ("/api/datasets/binance.BTC-USDT.1h/candles?timeframe=7x", 400, "unknown timeframe"),
    ],
)
def test_bad_requests_are_json_4xx(client, path, status, message):
    r = client.get(path)
    assert r.status_code == status and message in r.json()["error"]
