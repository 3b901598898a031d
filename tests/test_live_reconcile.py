"""Restart reconciliation of an exchange session: orders it did not place are reported and left
alone; a position that differs from the journal's stops the start with both numbers, unless told
to adopt the exchange's; fees taken in the base asset keep the two equal; orders below the
exchange's minimums are rejected before sending."""

import ccxt
import pytest

from cracktrader.live import LiveError, read_events
from support.live import KEY, SECRET, config, drive, session, sim_fixture


def client(sim):
    """The same account, traded by hand (fail-closed: the simulator's sandbox URLs only)."""
    cfg = sim.exchange_config()
    c = ccxt.binance({"apiKey": KEY, "secret": SECRET, "options": cfg["options"]})
    c.urls["test"] = cfg["urls"]["test"]
    c.set_sandbox_mode(True)
    c.load_time_difference()
    c.load_markets()
    return c


sim = sim_fixture()  # fees in the asset received, as Binance takes them


def test_external_orders_are_reported_and_left_alone(sim, tmp_path):
    cfg = config(sim, tmp_path, "exchange", strategy="Every", params=dict(size=0.001, every=1000))
    session(cfg, tmp_path / "s.journal").close()
    manual = client(sim).create_order("BTC/USDT", "limit", "buy", 0.001, 30_000, {"clientOrderId": "mine-by-hand"})
    s = session(cfg, tmp_path / "s.journal")
    reported = [e["data"] for e in read_events(tmp_path / "s.journal", kinds=["external_order"])]
    assert [r["client_id"] for r in reported] == ["mine-by-hand"] and reported[0]["id"] == manual["id"]
    drive(sim, [s], 2)
    assert [o.cid for o in sim.open_orders(KEY)] == ["mine-by-hand"] and not s.engine.broker.open_orders
    s.close()


def test_a_position_mismatch_is_refused_then_adopted(sim, tmp_path):
    cfg = config(sim, tmp_path, "exchange", strategy="Every", params=dict(size=0.002, every=2, hold=100))
    s = session(cfg, tmp_path / "s.journal")
    drive(sim, [s], 3)
    held = s.engine.broker.position().size
    assert held == pytest.approx(0.002 * 0.999) and float(sim.balance(KEY, "BTC")) == held  # the fee came in BTC
    s.close()
    client(sim).create_order("BTC/USDT", "market", "buy", 0.001, None, {"clientOrderId": "outside"})
    theirs = float(sim.balance(KEY, "BTC"))
    with pytest.raises(LiveError, match=rf"position mismatch: the journal has {held:.12g} BTC, the exchange "
                                        rf"{theirs:.12g} BTC .*--adopt-position"):
        session(cfg, tmp_path / "s.journal")
    s = session(cfg, tmp_path / "s.journal", adopt_position=True)
    assert s.engine.broker.position().size == pytest.approx(theirs, abs=1e-15)
    adopt = read_events(tmp_path / "s.journal", kinds=["adopt"])
    assert [(e["data"]["from"], e["data"]["to"]) for e in adopt] == [(held, pytest.approx(theirs))]
    s.close()
    s = session(cfg, tmp_path / "s.journal")  # adopted for good: the next start agrees
    assert s.engine.broker.position().size == pytest.approx(theirs, abs=1e-15)
    s.close()


@pytest.mark.parametrize("size, rule", [(0.0001, "cost_below_min"), (0.000004, "amount_rounds_to_zero")])
def test_exchange_minimums_reject_before_sending(sim, tmp_path, size, rule):
    cfg = config(sim, tmp_path, "exchange", strategy="Every", params=dict(size=size, every=2))
    s = session(cfg, tmp_path / "s.journal")
    drive(sim, [s], 3)
    orders = s.engine.broker.orders
    assert orders and all(o.status == "rejected" and o.rule == rule for o in orders)
    assert not sim.order_requests()
    journaled = [e["data"] for e in read_events(tmp_path / "s.journal", kinds=["order"])]
    assert {d["rule"] for d in journaled} == {rule} and {d["status"] for d in journaled} == {"rejected"}
    s.close()
