"""Exchange faults (429/418 with Retry-After, -1021, timeouts, 5xx with and without the order
placed, -1006/-1007, latency, an outage longer than a bar) never crash an exchange session,
never send an order twice and never lose a record."""

import time

import pytest

from cracktrader.live import read_events
from support.live import KEY, bar_time, config, drive, session, sim_fixture
from support.exchange_sim import Fault

ORDER = "/api/v3/order"


sim = sim_fixture(fee_asset="quote")


def every_session(sim, tmp_path, **params):
    cfg = config(sim, tmp_path, "exchange", strategy="Every", params=dict(size=0.001, every=2, **params))
    return session(cfg, tmp_path / "s.journal")


def first_order(s):
    return s.engine.broker.orders[0]


def requests(sim, path, method=None):
    return [r for r in sim.requests if r["path"] == path and (method is None or r["method"] == method)]


def test_429_waits_the_retry_after_and_slows_down(sim, tmp_path):
    s = every_session(sim, tmp_path)
    rate = s.client.rateLimit
    sim.faults.add(Fault(path=ORDER, method="POST", status=429, retry_after=1))
    drive(sim, [s], 3)
    posts = requests(sim, ORDER, "POST")
    assert [p["fault"] is not None for p in posts][:2] == [True, False]
    assert posts[1]["at"] - posts[0]["at"] >= 1.0  # waited the Retry-After, no tight loop
    assert ("rate_limit", 1.0) in s.caller.waits and s.client.rateLimit > rate
    assert first_order(s).status == "filled" and sim.exchange.orders[0].cid == s.orders.cid(first_order(s))
    s.close()


def test_418_on_candles_waits_too(sim, tmp_path):
    s = every_session(sim, tmp_path)
    sim.faults.add(Fault(path="/api/v3/klines", status=418, retry_after=1))
    drive(sim, [s], 2)
    assert ("rate_limit", 1.0) in s.caller.waits and s.bars_seen == 2
    s.close()


def test_minus_1021_resyncs_the_clock_and_retries(sim, tmp_path):
    s = every_session(sim, tmp_path)
    sim.faults.add(Fault(path=ORDER, method="POST", status=400,
                         body={"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}))
    drive(sim, [s], 3)
    posts = requests(sim, ORDER, "POST")
    assert posts[0]["fault"] is not None and posts[1]["fault"] is None and "newClientOrderId=" + s.orders.cid(
        first_order(s)) in posts[1]["body"]
    between = [r["path"] for r in sim.requests if posts[0]["at"] < r["at"] < posts[1]["at"]]
    assert "/api/v3/time" in between
    assert first_order(s).status == "filled"
    s.close()


@pytest.mark.parametrize("fault", [
    Fault(path=ORDER, method="POST", stage="after", status=None, delay=4.0),  # placed, the answer never comes in time
    Fault(path=ORDER, method="POST", stage="after", status=502),
    Fault(path=ORDER, method="POST", stage="after", status=500,
          body={"code": -1006, "msg": "An unexpected response was received from the message bus. Execution status unknown."}),
    Fault(path=ORDER, method="POST", stage="after", status=408,
          body={"code": -1007, "msg": "Timeout waiting for response from backend server. Send status unknown; "
                                      "execution status unknown."}),
], ids=["timeout", "502", "-1006", "-1007"])
def test_an_unknown_outcome_is_looked_up_never_resent(sim, tmp_path, fault):
    s = every_session(sim, tmp_path)
    sim.faults.add(fault)
    drive(sim, [s], 3)
    order = first_order(s)
    assert order.status == "filled" and order.filled == 0.001
    assert max(sim.placed_client_ids().values()) == 1
    updates = [e["data"]["status"] for e in read_events(tmp_path / "s.journal", kinds=["update"]) if e["data"]["cid"] == s.orders.cid(order)]
    assert updates[:2] == ["unknown", "open"]
    assert requests(sim, ORDER, "GET")  # looked up by its client order id
    s.close()


def test_a_5xx_before_the_order_was_placed_ends_it_not_placed(sim, tmp_path):
    s = every_session(sim, tmp_path)
    sim.faults.add(Fault(path=ORDER, method="POST", status=503))
    drive(sim, [s], 2)
    order = first_order(s)
    s.poll()
    assert order.alive and not sim.exchange.orders  # unknown: not sent again, not given up yet
    time.sleep(s.absent_after_ms / 1000 + 0.5)  # past the time the exchange could still take the request
    s.poll()
    assert order.status == "rejected" and order.rule == "not_placed"
    assert sim.placed_client_ids() == {s.orders.cid(order): 1}
    s.close()


def test_latency_is_only_slower(sim, tmp_path):
    s = every_session(sim, tmp_path)
    sim.faults.add(Fault(path=ORDER, method="POST", status=None, delay=0.5, times=5))
    drive(sim, [s], 4)
    assert [o.status for o in s.engine.broker.orders][:2] == ["filled", "filled"]
    assert all(r["fault"] is not None for r in requests(sim, ORDER, "POST"))
    s.close()


def test_an_outage_longer_than_a_bar_is_logged_and_its_bars_replayed(sim, tmp_path):
    s = every_session(sim, tmp_path)
    s.caller.attempts, s.caller.backoff = 2, 0.05
    drive(sim, [s], 2)
    sim.faults.add(Fault(path="/api/v3/klines", status=503, times=10_000))
    drive(sim, [s], 3, first=3)  # three bars close while the exchange does not answer
    assert s.health == "exchange_unreachable" and s.bars_seen == 2
    sim.faults.clear()
    drive(sim, [s], 1, first=6)
    assert s.health == "ok" and s.bars_seen == 6
    bars = [e["data"]["time"] for e in read_events(tmp_path / "s.journal", kinds=["bar"])]
    assert bars == [bar_time(k) for k in range(6)]  # each once, in order
    logs = [e["data"]["text"] for e in read_events(tmp_path / "s.journal", kinds=["log"]) if e["data"]["source"] == "session"]
    assert any("does not answer" in t for t in logs) and any("answers again" in t for t in logs)
    s.close()


def test_a_long_retry_after_is_a_ban_nothing_is_sent_until_it_ends(sim, tmp_path):
    """A Retry-After longer than the session sleeps through inside a call (Binance's 418 bans
    last minutes to days): no request at all until it has passed (one would lengthen the ban);
    the session goes on answering commands, then catches up."""
    s = every_session(sim, tmp_path)
    s.caller.max_wait = 0.5
    sim.faults.add(Fault(path="/api/v3/klines", status=418, retry_after=3))
    drive(sim, [s], 1)
    assert s.health == "exchange_unreachable" and s.bars_seen == 0
    seen = len(sim.requests)
    banned = time.monotonic()
    while time.monotonic() - banned < 2.0:
        s.poll()
        time.sleep(0.1)
    assert len(sim.requests) == seen and s.health == "exchange_unreachable"
    assert "HTTP 418/429 Retry-After" in s.last_error
    time.sleep(1.2)
    s.poll()
    assert s.health == "ok" and s.bars_seen == 1
    assert sim.requests[seen]["at"] - sim.requests[seen - 1]["at"] >= 3.0
    s.close()


def test_an_unanswered_cancel_is_asked_again(sim, tmp_path):
    """The kill switch's cancel meets a 502 (not executed): it is asked again at the next look
    (else the kill switch would wait for it forever), and the kill switch finishes."""
    from cracktrader.live import send_command

    cfg = config(sim, tmp_path, "exchange", strategy="Resting", params=dict(market=False))
    s = session(cfg, tmp_path / "s.journal")
    drive(sim, [s], 2)
    (limit,) = s.engine.broker.open_orders
    assert s.orders.at_exchange(limit) and len(sim.open_orders(KEY)) == 1
    sim.faults.add(Fault(path=ORDER, method="DELETE", status=502))
    send_command(tmp_path / "s.journal", "kill")
    s.poll()  # the cancel fails, the look at the orders that follows asks again
    assert limit.status == "canceled" and not s.killing and s.risk.state == "halted"
    assert [r["fault"] is not None for r in requests(sim, ORDER, "DELETE")] == [True, False]
    assert not sim.open_orders(KEY)
    s.close()


def test_a_bar_the_exchange_is_late_with_is_asked_for_once_a_poll_not_in_a_spin(sim, tmp_path):
    # Binance's klines always list a closed minute; other exchanges leave out a minute without
    # trades, or finish it late: the session asked again every 10 ms (as fast as ccxt's rate
    # limiter let it) until the bar came.
    import threading

    s = session(config(sim, tmp_path, poll=0.5), tmp_path / "s.journal")
    drive(sim, [s], 2)
    sim.clock.set(bar_time(3) + 1500)  # bar 2 is due...
    late = sim.faults.add(Fault(path="/api/v3/klines", status=200, body=[], times=1000))  # ...and not there
    runner = threading.Thread(target=s.run)
    runner.start()
    time.sleep(2.0)
    s.stopping = True
    runner.join(10)
    assert not runner.is_alive()
    assert 2 <= len(late.hits) <= 6  # about one a poll (0.5 s)
