"""Stops, trailing stops and bracket exits are held by an exchange session and sent when a closed
bar reaches their level (a spot exchange cannot hold both exits of a bracket); the other exit
is canceled, at the exchange if it rests there, before the triggered one leaves."""

import pytest

from support.live import KEY, config, drive, session, sim_fixture


sim = sim_fixture(fee_asset="quote")


def bars_of(sim, first, last):
    market = sim.data.markets[0]
    return [sim.data.bar_at(market, 60_000, t) for t in range(first, last + 1, 60_000)]


@pytest.mark.parametrize("sl, tp, exit_", [(0.0005, 0.05, "stop_loss"), (0.05, 0.0005, "take_profit")])
def test_a_bracket_exits_once(sim, tmp_path, sl, tp, exit_):
    cfg = config(sim, tmp_path, "exchange", strategy="Bracket", params=dict(size=0.001, sl=sl, tp=tp))
    s = session(cfg, tmp_path / "s.journal")
    for k in range(1, 40):
        drive(sim, [s], 1, first=k)
        if s.engine.strategy.entry is not None and s.engine.strategy.entry.status == "filled" \
                and not s.engine.broker.position().size:
            break
    entry = s.engine.strategy.entry
    stop_loss, take_profit = entry.children
    sent = {o.cid: o for o in sim.exchange.orders}
    assert sent[s.orders.cid(take_profit)].type == "LIMIT"  # the take-profit rested at the exchange
    done, other = (stop_loss, take_profit) if exit_ == "stop_loss" else (take_profit, stop_loss)
    assert done.status == "filled" and other.status == "canceled" and other.rule == "oco"
    assert not sim.open_orders(KEY) and float(sim.balance(KEY, "BTC")) == 0
    if exit_ == "stop_loss":  # held, then sent after the bar whose low reached it closed, at the next price
        placed = sent[s.orders.cid(stop_loss)]
        assert placed.placed_at > sent[s.orders.cid(take_profit)].updated  # after the take-profit was canceled
        trigger_bar = [b for b in bars_of(sim, entry.time // 60_000 * 60_000, placed.placed_at)
                       if b[3] / 100 <= stop_loss.stop][0]
        assert placed.type == "MARKET" and placed.placed_at >= trigger_bar[0] + 60_000
        assert [o.status for o in sim.exchange.orders if o.cid == s.orders.cid(take_profit)] == ["CANCELED"]
    s.close()


def test_a_trailing_stop_ratchets_then_sells_at_market(sim, tmp_path):
    cfg = config(sim, tmp_path, "exchange", strategy="Bracket", params=dict(size=0.001, trail=0.1))
    s = session(cfg, tmp_path / "s.journal")
    for k in range(1, 60):
        drive(sim, [s], 1, first=k)
        if s.engine.strategy.entry.status == "filled" and not s.engine.broker.position().size:
            break
    trail = [o for o in s.engine.broker.orders if o.type == "trailing_stop"][0]
    assert trail.status == "filled" and trail.trail_extreme > trail.feed.close.values[30]  # it ratcheted up
    placed = [o for o in sim.exchange.orders if o.cid == s.orders.cid(trail)]
    assert len(placed) == 1 and placed[0].type == "MARKET" and placed[0].status == "FILLED"
    s.close()
