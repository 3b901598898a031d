"""Risk limits sit between the strategy and the venue: each rule rejects before anything leaves,
with its name in notify_order and the journal; loss limits move the session to reducing or
halted, which survives restarts until `live resume`; the kill switch cancels and flattens."""

import pytest

from cracktrader.live import read_events, send_command
from support.live import KEY, config, drive, session, sim_fixture, trading_sim


sim = sim_fixture(fee_asset="quote")


def rejected(s):
    return [(o.side, o.type, o.rule) for o in s.engine.broker.orders if o.status == "rejected"]


def journal_rules(tmp_path):
    return [e["data"]["rule"] for e in read_events(tmp_path / "s.journal", kinds=["order"])
            if e["data"].get("status") == "rejected"]


@pytest.mark.parametrize("limit, value, rule", [
    ("max_order_notional", 20.0, "max_order_notional"),  # each order is ~46 USDT
    ("max_position_notional", 60.0, "max_position_notional"),  # the limit's 0.001 counts: 0.002 BTC ~ 92
    ("max_open_orders", 1, "max_open_orders"),
    ("max_orders_per_minute", 1, "max_orders_per_minute"),
])
def test_each_order_rule_rejects_before_the_order_leaves(sim, tmp_path, limit, value, rule):
    cfg = config(sim, tmp_path, "exchange", strategy="Resting", params=dict(size=0.001), risk={limit: value})
    s = session(cfg, tmp_path / "s.journal")
    drive(sim, [s], 2)
    want = [("buy", "limit", rule), ("buy", "market", rule)] if limit == "max_order_notional" else [("buy", "market", rule)]
    assert rejected(s) == want
    assert journal_rules(tmp_path) == [rule] * len(want)
    sent = {p["newClientOrderId"] for p in sim.order_requests()}
    assert len(sent) == 2 - len(want) and all(s.orders.cid(o) not in sent for o in s.engine.broker.orders if o.rule)
    s.close()


@pytest.mark.parametrize("limit, value", [("max_daily_loss", "1%"), ("max_daily_loss", 150.0), ("max_drawdown", "1%"),
                                          ("max_drawdown", 0.01)])
def test_a_loss_limit_halts_the_session_across_restarts(sim, tmp_path, limit, value):
    # 2% fees on a 95% entry: the account loses ~1.9% on the first fill
    cfg = config(sim, tmp_path, "paper", strategy="Every", params=dict(size=0.2, every=2, hold=3), commission=0.02,
                 risk={limit: value})
    s = session(cfg, tmp_path / "s.journal")
    drive(sim, [s], 6)
    assert s.risk.state == "halted" and s.risk.rule == limit
    risk = [e["data"] for e in read_events(tmp_path / "s.journal", kinds=["risk"])]
    assert risk == [{"state": "halted", "rule": limit, "reason": risk[0]["reason"]}] and limit in risk[0]["reason"]
    s.close()
    s = session(cfg, tmp_path / "s.journal")
    assert s.risk.state == "halted"
    drive(sim, [s], 4, first=7)
    assert ("sell", "market", "halted") in rejected(s) or ("buy", "market", "halted") in rejected(s)
    s.close()


def test_reducing_lets_only_orders_that_reduce(sim, tmp_path):
    cfg = config(sim, tmp_path, "paper", strategy="Every", params=dict(size=0.2, every=2, hold=2), commission=0.02,
                 risk={"max_daily_loss": "1%", "on_breach": "reducing"})
    s = session(cfg, tmp_path / "s.journal")
    drive(sim, [s], 12)
    assert s.risk.state == "reducing"
    assert rejected(s) and all(rule == "reducing" and side == "buy" for side, _, rule in rejected(s))
    sells = [o for o in s.engine.broker.orders if o.side == "sell"]
    assert sells and all(o.status == "filled" for o in sells) and s.engine.broker.position().size == 0
    s.close()


def test_kill_switch_cancels_then_flattens_then_stays_halted(sim, tmp_path):
    cfg = config(sim, tmp_path, "exchange", strategy="Resting", params=dict(size=0.001))
    s = session(cfg, tmp_path / "s.journal")
    drive(sim, [s], 3)
    assert len(sim.open_orders(KEY)) == 1 and float(sim.balance(KEY, "BTC")) == 0.001
    send_command(tmp_path / "s.journal", "kill")
    drive(sim, [s], 2, first=4)
    assert not sim.open_orders(KEY) and float(sim.balance(KEY, "BTC")) == 0
    assert s.risk.state == "halted" and not s.killing and s.engine.broker.position().size == 0
    events = [(e["kind"], e["data"].get("command") or e["data"].get("rule") or e["data"].get("status"))
              for e in read_events(tmp_path / "s.journal", kinds=["control", "cancel", "risk"])]
    assert events == [("control", "kill"), ("risk", "kill_switch"), ("cancel", "kill_switch"), ("control", "kill_done")]
    flatten = [o for o in s.engine.broker.orders if s.orders.cid(o)[10:].find("k") >= 0 and o.side == "sell"]
    assert len(flatten) == 1 and flatten[0].status == "filled"
    s.close()


def test_a_days_loss_counts_from_the_equity_it_started_with():
    """The first bar of a UTC day counts: the day's loss is measured from the last equity before
    it (the session's starting equity on its first day); the drawdown's first peak is that too."""
    from cracktrader.live import RiskLimits
    from cracktrader.live.risk import DAY_MS, Risk

    r = Risk(RiskLimits(max_daily_loss=100), equity=10_000)
    assert r.observe(9_950, DAY_MS + 23 * 3_600_000) is None  # day 1: lost 50
    assert r.observe(9_890, 2 * DAY_MS) is None  # day 2 starts from 9,950: lost 60
    assert r.observe(9_850, 2 * DAY_MS + 60_000)[0] == "max_daily_loss"  # lost 100 since 9,950
    r = Risk(RiskLimits(max_daily_loss=100), equity=10_000)
    assert r.observe(9_890, DAY_MS)[0] == "max_daily_loss"  # the session's first bar lost 110
    r = Risk(RiskLimits(max_drawdown="1%"), equity=10_000)
    assert r.observe(9_890, DAY_MS)[0] == "max_drawdown"  # 1.1% under the starting equity


def test_the_kill_switch_ends_when_only_dust_is_left(tmp_path):
    """Fees taken in the bought asset leave dust under the market's step once the position is
    sold: the kill switch says so and ends (it placed the refused order again at every poll)."""
    sim = trading_sim()  # fees in the asset received: a buy of 0.001 BTC books 0.000999
    try:
        cfg = config(sim, tmp_path, "exchange", strategy="Resting", params=dict(size=0.001))
        s = session(cfg, tmp_path / "s.journal")
        drive(sim, [s], 3)
        assert s.engine.broker.position().size == pytest.approx(0.000999, abs=1e-12)
        send_command(tmp_path / "s.journal", "kill")
        drive(sim, [s], 4, first=4)
        for _ in range(5):
            s.poll()
        dust = s.engine.broker.position().size
        assert 0 < dust < 0.00001 and not s.killing and s.risk.state == "halted"
        closes = [o for o in s.engine.broker.orders if o.side == "sell"]
        assert [o.status for o in closes] == ["filled", "rejected"] and closes[1].rule == "amount_rounds_to_zero"
        logs = [e["data"]["text"] for e in read_events(tmp_path / "s.journal", kinds=["log"])]
        assert any("left, which cannot be closed (amount_rounds_to_zero" in t for t in logs)
        s.close()
    finally:
        sim.stop()
