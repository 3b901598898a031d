"""The simulator trades like Binance's spot API where a live session relies on it: signed
requests checked as Binance checks them, orders matched against the bars it serves on the clock
the test moves, fees, partial fills, Binance's error codes, and every order request counted."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from decimal import Decimal
from urllib.parse import urlencode

import ccxt
import pytest

from support.live import KEY, SECRET, START, assert_loopback, bar_time, sim_fixture, trading_sim


sim = sim_fixture()


def signed(sim, method, path, secret=SECRET, key=KEY, stamp=None, **params):
    query = urlencode({"timestamp": stamp if stamp is not None else sim.clock.now(), **params})
    sig = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    body = None
    url = f"{sim.url}{path}"
    if method == "POST":
        body = f"{query}&signature={sig}".encode()
    else:
        url += f"?{query}&signature={sig}"
    req = urllib.request.Request(url, data=body, method=method, headers={"X-MBX-APIKEY": key} if key else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def client(sim):
    cfg = sim.exchange_config()
    c = ccxt.binance({"apiKey": KEY, "secret": SECRET, "options": cfg["options"]})
    c.urls["test"] = cfg["urls"]["test"]
    c.set_sandbox_mode(True)
    assert_loopback(c)
    c.load_time_difference()
    c.load_markets()
    return c


def test_signatures_keys_and_timestamps_are_checked(sim):
    assert signed(sim, "GET", "/api/v3/account")[0] == 200
    assert signed(sim, "GET", "/api/v3/account", secret="wrong") == (400, {"code": -1022, "msg": "Signature for this request is not valid."})
    assert signed(sim, "GET", "/api/v3/account", key="other")[1]["code"] == -2015
    assert signed(sim, "GET", "/api/v3/account", key=None)[0] == 401
    late = signed(sim, "GET", "/api/v3/account", stamp=sim.clock.now() - 6000)
    assert late[1] == {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}
    assert signed(sim, "GET", "/api/v3/account", stamp=sim.clock.now() - 6000, recvWindow=8000)[0] == 200
    assert signed(sim, "GET", "/api/v3/account", stamp=sim.clock.now() + 2000)[1]["code"] == -1021
    status, body = signed(sim, "POST", "/api/v3/order", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001",
                          newClientOrderId="sig-1")
    assert status == 200 and body["status"] == "FILLED" and body["fills"]


def test_market_orders_fill_at_the_open_and_limits_through_the_range(sim):
    c = client(sim)
    bar = sim.data.bar_at(sim.data.markets[0], 60_000, START)
    o = c.create_order("BTC/USDT", "market", "buy", 0.01, None, {"clientOrderId": "m1"})
    assert o["status"] == "closed" and o["average"] == bar[1] / 100
    assert o["fee"] == {"currency": "BTC", "cost": 0.00001}  # Binance takes the fee in what it pays out
    above = c.create_order("BTC/USDT", "limit", "sell", 0.005, (bar[2] - 1) / 100, {"clientOrderId": "l1"})
    beyond = c.create_order("BTC/USDT", "limit", "sell", 0.004, (bar[2] + 1) / 100, {"clientOrderId": "l2"})
    assert above["status"] == beyond["status"] == "open"
    sim.clock.set(bar_time(1) + 10)  # the bar closes: its high reached the first limit only
    c.load_time_difference()  # (the exchange's clock jumped: ccxt's would be off, -1021)
    assert c.fetch_order(None, "BTC/USDT", {"clientOrderId": "l1"})["status"] == "closed"
    assert c.fetch_order(None, "BTC/USDT", {"clientOrderId": "l2"})["status"] == "open"
    trade = c.fetch_my_trades("BTC/USDT", params={"orderId": above["id"]})[0]
    assert trade["price"] == (bar[2] - 1) / 100 and trade["takerOrMaker"] == "maker"
    assert trade["fee"]["currency"] == "USDT"
    assert sim.balance(KEY, "BTC") == Decimal("0.01") - Decimal("0.00001") - Decimal("0.005")


def test_partial_fills_take_a_share_of_each_bar(tmp_path):
    sim = trading_sim(volume_share=0.001)
    try:
        c = client(sim)
        market = sim.data.markets[0]
        o = c.create_order("BTC/USDT", "market", "buy", 0.1, None, {"clientOrderId": "p1"})
        v0 = Decimal(sim.data.bar_at(market, 60_000, START)[5]) / 64 * Decimal("0.001")
        assert o["status"] == "open" and Decimal(str(o["filled"])) == v0 // Decimal("0.00001") * Decimal("0.00001")
        sim.clock.set(bar_time(3) + 10)
        c.load_time_difference()
        again = c.fetch_order(None, "BTC/USDT", {"clientOrderId": "p1"})
        assert again["filled"] > o["filled"] and len(c.fetch_my_trades("BTC/USDT", params={"orderId": o["id"]})) == 3
    finally:
        sim.stop()


def test_binance_errors(sim):
    c = client(sim)
    with pytest.raises(ccxt.InsufficientFunds, match="insufficient balance"):
        c.create_order("BTC/USDT", "limit", "buy", 1, 40_000, {"clientOrderId": "big"})
    with pytest.raises(ccxt.BadRequest, match="Filter failure: NOTIONAL"):
        c.create_order("BTC/USDT", "limit", "buy", 0.0001, 40_000, {"clientOrderId": "tiny"})
    c.create_order("BTC/USDT", "limit", "buy", 0.001, 30_000, {"clientOrderId": "dup"})
    with pytest.raises(ccxt.InvalidOrder, match="Duplicate order sent"):
        c.create_order("BTC/USDT", "limit", "buy", 0.001, 30_000, {"clientOrderId": "dup"})
    with pytest.raises(ccxt.OrderNotFound, match="-2013"):
        c.fetch_order(None, "BTC/USDT", {"clientOrderId": "never"})
    with pytest.raises(ccxt.OrderNotFound, match="-2011"):
        c.cancel_order(None, "BTC/USDT", {"clientOrderId": "never"})
    assert c.cancel_order(None, "BTC/USDT", {"clientOrderId": "dup"})["status"] == "canceled"
    status, body = signed(sim, "POST", "/api/v3/order", symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="0.0012345",
                          price="30000", timeInForce="GTC")
    assert body == {"code": -1013, "msg": "Filter failure: LOT_SIZE"}
    status, body = signed(sim, "POST", "/api/v3/order", symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="0.001",
                          price="30000.001", timeInForce="GTC")
    assert body == {"code": -1013, "msg": "Filter failure: PRICE_FILTER"}
    assert sim.placed_client_ids()["dup"] == 2  # every placement request is counted, refused or not


def test_the_clock_moves_only_when_told(sim):
    t = sim.clock.now()
    time.sleep(0.2)
    assert 150 <= sim.clock.now() - t < 2000  # it runs (rate 1) ...
    sim.clock.set(bar_time(5))
    assert bar_time(5) <= sim.clock.now() < bar_time(5) + 1000  # ... from where the test puts it
