"""A market order the exchange answers filled is booked from that answer, in the poll that sent
it (between bars, where the backtest books fills): no lookup, no wait for the next look; a
restart replays those fills at the same point."""

import pytest

from cracktrader.live import read_events
from cracktrader.live.orderpath import TRACKED
from support.live import bar_time, config, session, sim_fixture

ORDER, TRADES = "/api/v3/order", "/api/v3/myTrades"


sim = sim_fixture(fee_asset="quote", taker=0.001)


def poll_until_placed(sim, s, first=1, bars=6):
    """Polls bar by bar until a poll places an order; the requests of that poll."""
    for k in range(first, first + bars):
        sim.clock.set(bar_time(k) + 1500)
        seen = len(sim.requests)
        s.poll()
        new = sim.requests[seen:]
        if any(r["path"] == ORDER and r["method"] == "POST" for r in new):
            return k, new
    raise AssertionError("no order was placed")


def test_a_filled_answer_is_booked_in_the_poll_that_sent_it(sim, tmp_path):
    cfg = config(sim, tmp_path, "exchange", strategy="Every", params=dict(size=0.001, every=2, hold=1))
    s = session(cfg, tmp_path / "s.journal")
    k, new = poll_until_placed(sim, s)
    order = s.engine.broker.orders[0]
    assert order.status == "filled" and order.filled == pytest.approx(0.001)
    assert s.engine.broker.position().size == pytest.approx(0.001)  # before the next bar closes
    after = new[next(i for i, r in enumerate(new) if r["path"] == ORDER and r["method"] == "POST"):]
    assert not [r for r in after if r["method"] == "GET" and r["path"] in (ORDER, TRADES)]  # the answer sufficed
    fills = [e["data"] for e in read_events(tmp_path / "s.journal", kinds=["fill"])]
    assert len(fills) == 1 and fills[0]["qty"] == pytest.approx(0.001) and fills[0]["fee"] > 0
    assert fills[0]["time"] >= bar_time(k)  # the answer's time: the fill's
    updates = [e["data"]["status"] for e in read_events(tmp_path / "s.journal", kinds=["update"])]
    assert updates[-1] == "filled"

    # the sell, then a restart: the same fills at the same points, nothing sent again
    k, _ = poll_until_placed(sim, s, first=k + 1)
    assert s.engine.broker.position().size == 0
    want = [o.to_dict() for o in s.engine.broker.orders]
    cash = s.engine.broker.cash
    s.close()
    again = session(cfg, tmp_path / "s.journal")
    assert [o.to_dict() for o in again.engine.broker.orders] == want
    assert again.engine.broker.cash == pytest.approx(cash, rel=1e-12)
    assert max(sim.placed_client_ids().values()) == 1
    assert again.orders.tracked() == tracked(again) == [] and tracked(s) == []
    again.close()


def tracked(s):
    return [cid for cid, r in s.orders.records.items() if r["exchange"].get("status") in TRACKED]


def test_the_tracked_orders_are_kept_as_they_change(sim, tmp_path):
    """A look asks only about orders that may still change: the set kept as the exchange answers
    equals the scan over every record, while orders rest, fill and end, and after a restart."""
    cfg = config(sim, tmp_path, "exchange", strategy="Resting", params=dict(size=0.001, cancel_after=3))
    s = session(cfg, tmp_path / "s.journal")
    seen = []
    for k in range(1, 7):
        sim.clock.set(bar_time(k) + 1500)
        s.poll()
        assert s.orders.tracked() == tracked(s)
        seen.append(len(s.orders.tracked()))
    assert max(seen) >= 1 and seen[-1] == 0  # the resting limit was tracked, then canceled
    s.close()
    again = session(cfg, tmp_path / "s.journal")
    assert again.orders.tracked() == tracked(again) == []
    again.close()
