"""Hand-computed fills, fees and P&L for every order type, the gap rules and the intrabar policy."""

import pytest

import cracktrader as ct
from support.engine import T0, Script, candles, filled, run

FLAT = (100.0, 100.0, 100.0, 100.0)


def test_market_order_fills_at_next_open_and_pays_taker_fee():
    rows = [(100, 101, 99, 100), (102, 103, 101, 102.5), (103, 104, 102, 103)]
    result, s = run(rows, {0: lambda s: s.buy(size=2)}, commission=0.001)
    order = s.placed[0]
    assert filled(order) == 102 and order.time == T0 + 60_000 and order.commission == 2 * 0.001 * 102
    assert result.final_value == 10_000 - 2 * 102 - 2 * 0.001 * 102 + 2 * 103
    assert list(result.equity) == [10_000, 10_000 - 204 - 0.204 + 205, result.final_value]


def test_market_order_at_close_is_an_explicit_option():
    rows = [(100, 101, 99, 100.5), (102, 103, 101, 102)]
    _, s = run(rows, {0: lambda s: s.buy(size=1)}, fill="close")
    assert filled(s.placed[0]) == 100.5 and s.placed[0].time == T0
    _, s = run(rows, {0: lambda s: s.buy(size=1, fill="close")})
    assert filled(s.placed[0]) == 100.5


def test_limit_fills_at_its_price_or_better_on_a_gap_and_pays_maker_fee():
    fees = ct.Commission(maker=0.0002, taker=0.001)
    touched = [FLAT, (100, 101, 99, 100.5)]
    _, s = run(touched, {0: lambda s: s.buy(size=1, limit=99.5)}, commission=fees)
    assert filled(s.placed[0]) == 99.5 and s.placed[0].commission == 0.0002 * 99.5
    gapped = [FLAT, (98, 99, 97, 98.5)]
    _, s = run(gapped, {0: lambda s: s.buy(size=1, limit=99.5)})
    assert filled(s.placed[0]) == 98  # the open is better than the limit
    waits = [FLAT, (100, 101, 99.6, 100), (99.8, 100, 99.4, 99.9)]
    _, s = run(waits, {0: lambda s: s.sell(size=1, limit=100.8)})
    assert filled(s.placed[0]) == 100.8 and s.placed[0].time == T0 + 60_000
    _, s = run(waits, {0: lambda s: s.buy(size=1, limit=99.5)})
    assert filled(s.placed[0]) == 99.5 and s.placed[0].time == T0 + 120_000


def test_stop_fills_at_its_price_or_worse_on_a_gap():
    _, s = run([FLAT, (100, 101.5, 99.8, 101.2)], {0: lambda s: s.buy(size=1, stop=101)})
    assert filled(s.placed[0]) == 101
    _, s = run([FLAT, (102, 103, 101.5, 102)], {0: lambda s: s.buy(size=1, stop=101)})
    assert filled(s.placed[0]) == 102  # gapped through: the open
    _, s = run([FLAT, (100, 100.5, 99.5, 100)], {0: lambda s: s.sell(size=1, stop=99)})
    assert s.placed[0].status == "accepted"  # never reached


def test_slippage_moves_taker_fills_against_the_order_within_the_bar():
    bar = (100, 100.2, 98, 98.5)
    _, s = run([FLAT, bar], {0: lambda s: s.sell(size=1, stop=99)}, slippage=10)
    assert filled(s.placed[0]) == 99 - 99 * 10 / 10_000
    _, s = run([FLAT, bar], {0: lambda s: s.sell(size=1, stop=99)}, slippage="0.1range")
    assert filled(s.placed[0]) == 99 - (100.2 - 98) * 0.1
    _, s = run([FLAT, bar], {0: lambda s: s.buy(size=1)}, slippage=ct.Slippage(range=0.5))
    assert filled(s.placed[0]) == 100.2  # capped at the bar's high
    _, s = run([FLAT, bar], {0: lambda s: s.buy(size=1, limit=99)}, slippage=50)
    assert filled(s.placed[0]) == 99  # limit fills have no slippage


def test_stop_limit_triggers_then_fills_as_a_limit():
    _, s = run([FLAT, (100, 102, 99.5, 101.8)], {0: lambda s: s.buy(size=1, stop=101, limit=101.5)})
    assert filled(s.placed[0]) == 101
    # Opens above the limit: triggered, then fills when the price comes back to the limit.
    _, s = run([FLAT, (102, 103, 101, 102.5)], {0: lambda s: s.buy(size=1, stop=101, limit=101.5)})
    assert filled(s.placed[0]) == 101.5
    rows = [FLAT, (102, 103, 101.8, 102.5), (101, 101.2, 100.5, 101)]
    _, s = run(rows, {0: lambda s: s.buy(size=1, stop=101, limit=101.5)})
    assert filled(s.placed[0]) == 101 and s.placed[0].time == T0 + 120_000 and s.placed[0].triggered


@pytest.mark.parametrize("trail, level", [(dict(trail=2), 101.0), (dict(trail_percent=2), 103 - 103 * 0.02)])
def test_trailing_stop_ratchets_on_each_bar_and_fills_at_its_level(trail, level):
    rows = [(100, 100.5, 99.5, 100), (100, 103, 99, 102.5), (102, 102.5, 100.5, 101)]

    def plan(s):
        s.buy(size=1, fill="close")
        return s.sell(size=1, **trail)  # starts 2 (or 2%) under the close: 98

    result, s = run(rows, {0: plan})
    stop = s.placed[0]
    assert filled(stop) == level and stop.time == T0 + 120_000 and stop.trail_extreme == 103
    assert result.trades[0].pnl == level - 100


def test_trailing_stop_for_a_short_follows_the_lows():
    rows = [(100, 100.5, 99.5, 100), (100, 100.5, 97, 97.5), (98, 99.6, 97.5, 99)]

    def plan(s):
        s.sell(size=1, fill="close")
        return s.buy(size=1, trail=2)

    _, s = run(rows, {0: plan})
    assert filled(s.placed[0]) == 99 and s.placed[0].trail_stop == 99


BRACKET = [FLAT, (100, 101, 99, 100.5), (100.5, 104.5, 97.5, 101)]


@pytest.mark.parametrize("policy, exit_price", [("adverse", 98), ("favorable", 104)])
def test_bracket_exits_in_one_bar_follow_the_intrabar_policy(policy, exit_price):
    result, s = run(BRACKET, {0: lambda s: s.buy(size=1, stop_loss=98, take_profit=104)}, intrabar=policy,
                    commission=0.001)
    entry = s.placed[0]
    stop_loss, take_profit = entry.children
    assert filled(entry) == 100
    done, other = (stop_loss, take_profit) if exit_price == 98 else (take_profit, stop_loss)
    assert filled(done) == exit_price and other.status == "canceled" and other.rule == "oco"
    trade = result.trades[0]
    fees = 0.001 * 100 + 0.001 * exit_price
    assert (trade.entry_price, trade.exit_price, trade.commission) == (100, exit_price, fees)
    assert trade.pnl == (exit_price - 100) - fees


def test_nearest_policy_visits_the_extreme_nearer_the_open_first():
    rows = BRACKET[:2] + [(103, 104.5, 97.5, 101)]  # the high is 1.5 away, the low 5.5
    _, s = run(rows, {0: lambda s: s.buy(size=1, stop_loss=98, take_profit=104)}, intrabar="nearest")
    assert filled(s.placed[0].children[1]) == 104


def test_lower_timeframe_bars_decide_which_exit_came_first():
    five = candles(BRACKET, step=300_000, timeframe="5m")
    subs = [(100.5, 101, 100, 100.8), (100.8, 104.5, 100.7, 104), (104, 104, 97.5, 98), (98, 100, 98, 100), (100, 101, 100, 101)]
    one = candles([FLAT] * 10 + subs, t0=T0, step=60_000)
    engine = ct.Engine(Script, five, intrabar_data=one,
                       params=dict(plan={0: lambda s: s.buy(size=1, stop_loss=98, take_profit=104)}))
    engine.run()
    _, take_profit = engine.strategy.placed[0].children
    assert filled(take_profit) == 104  # the 1m bars show the high came first, despite "adverse"


def test_entry_and_stop_loss_in_the_same_bar():
    rows = [FLAT, (100, 103.5, 96, 100)]
    result, s = run(rows, {0: lambda s: s.buy(size=1, limit=99, stop_loss=97, take_profit=103)})
    entry = s.placed[0]
    assert filled(entry) == 99 and filled(entry.children[0]) == 97 and entry.children[1].status == "canceled"
    assert result.trades[0].pnl == -2


def test_bracket_exits_wait_for_the_entry_and_die_with_it():
    rows = [FLAT, (100, 100.5, 99.5, 100), FLAT]
    result, s = run(rows, {0: lambda s: s.buy(size=1, limit=90, stop_loss=85, take_profit=95),
                           1: lambda s: s.cancel(s.orders[0])})
    entry = s.placed[0]
    assert entry.status == "canceled" and [c.status for c in entry.children] == ["canceled", "canceled"]
    assert entry.children[0].rule == "parent_not_filled" and not s.orders


def test_a_canceled_exit_stays_canceled_when_the_entry_fills():
    def plan(s):
        entry = s.buy(size=1, limit=100.5, stop_loss=97, take_profit=110)
        s.cancel(entry.children[0])
        return entry

    _, s = run([FLAT, FLAT, (100, 100, 95, 96)], {0: plan})
    entry = s.placed[0]
    stop_loss, take_profit = entry.children
    assert filled(entry) == 100 and stop_loss.status == "canceled" and take_profit.status == "accepted"
    assert s.position.size == 1  # the low of 95 did not stop it out


def test_closing_the_position_cancels_its_exits():
    rows = [FLAT, FLAT, FLAT, FLAT]
    _, s = run(rows, {0: lambda s: s.buy(size=1, stop_loss=90, take_profit=110), 1: lambda s: s.close()})
    assert all(c.status == "canceled" and c.rule == "position_closed" for c in s.placed[0].children)


def test_ioc_expires_when_its_first_bar_does_not_fill_it():
    rows = [FLAT, (100, 101, 99.8, 100), (99, 99, 98, 98)]
    _, s = run(rows, {0: lambda s: s.buy(size=1, limit=99.5, tif="IOC")})
    assert s.placed[0].status == "expired" and (1, "order", s.placed[0].id, "expired", None, "ioc") in s.log
    _, s = run(rows, {0: lambda s: s.buy(size=1, tif="IOC")})
    assert filled(s.placed[0]) == 100


def test_cancel_stops_a_working_order():
    rows = [FLAT, (100, 101, 99.8, 100), (99, 99, 98, 98)]
    _, s = run(rows, {0: lambda s: s.buy(size=1, limit=99.5), 1: lambda s: s.cancel(s.placed[0])})
    assert s.placed[0].status == "canceled" and s.placed[1] is True
    assert [x[3] for x in s.log if x[1] == "order"] == ["accepted", "canceled"]


def test_short_round_trip_and_fractional_size():
    rows = [FLAT, (100, 100, 99, 99), (98, 98.5, 97, 97.5)]
    result, s = run(rows, {0: lambda s: s.sell(size=0.0123), 1: lambda s: s.close()}, commission=0.001)
    trade = result.trades[0]
    assert (trade.side, trade.size, trade.entry_price, trade.exit_price) == ("short", 0.0123, 100, 98)
    fees = 0.0123 * 0.001 * 100 + 0.0123 * 0.001 * 98
    assert trade.commission == fees and trade.pnl == pytest.approx(0.0123 * 2 - fees, abs=1e-15)
    assert result.final_value == pytest.approx(10_000 + 0.0123 * 2 - fees, abs=1e-9)


def test_reversal_closes_one_trade_and_opens_the_next():
    rows = [FLAT, FLAT, (101, 101, 101, 101), (103, 103, 103, 103)]
    result, s = run(rows, {0: lambda s: s.buy(size=1), 1: lambda s: s.sell(size=3)}, commission=0.01)
    (closed,), (short,) = result.trades, result.open_trades
    assert (closed.side, closed.size, closed.exit_price) == ("long", 1, 101)
    fee = 3 * 0.01 * 101  # shared in proportion: 1/3 closes the long, 2/3 opens the short
    assert closed.commission == 1.0 + fee * (1 / 3) and closed.pnl == 1 - closed.commission
    assert (short.side, short.size, short.entry_price) == ("short", 2, 101) and short.commission == fee - fee * (1 / 3)
    assert s.position.size == -2 and s.position.price == 101


def test_fixed_fee_per_order():
    rows = [FLAT, FLAT, FLAT]
    result, _ = run(rows, {0: lambda s: s.buy(size=1), 1: lambda s: s.close()}, commission=ct.Commission(fixed=1.5))
    assert result.trades[0].commission == 3.0 and result.final_value == 10_000 - 3.0


def test_sizing_by_units_cash_percent_and_the_default():
    rows = [FLAT, FLAT]
    _, s = run(rows, {0: lambda s: [s.buy(percent=50), s.buy(cash=1000), s.buy()]})
    assert [o.size for o in s.placed[0]] == [50, 10, 95]
    _, s = run(rows, {0: lambda s: s.buy()}, sizing=0.25)
    assert s.placed[0].size == 0.25


@pytest.mark.parametrize("call, rule", [
    (lambda s: s.buy(size=0), "amount_not_positive"),
    (lambda s: s.sell(size=-1), "amount_not_positive"),
    (lambda s: s.buy(size=float("nan")), "amount_not_finite"),
    (lambda s: s.buy(size=1, limit=float("nan")), "price_not_finite"),
    (lambda s: s.buy(size=1, stop=-5), "price_not_positive"),
    (lambda s: s.buy(size=1, stop_loss=0), "price_not_positive"),
])
def test_bad_orders_are_rejected_with_their_reason(call, rule):
    _, s = run([FLAT, FLAT], {0: call})
    order = s.placed[0]
    assert order.status == "rejected" and order.rule == rule and order.reason
    assert (0, "order", order.id, "rejected", None, rule) in s.log


def test_margin_check_rejects_what_the_account_cannot_pay_for():
    rows = [FLAT, FLAT, FLAT]
    _, s = run(rows, {0: lambda s: s.buy(size=200)})
    assert s.placed[0].status == "rejected" and s.placed[0].rule == "insufficient_margin"
    assert "not enough cash" in s.placed[0].reason
    result, s = run(rows, {0: lambda s: s.buy(size=200)}, leverage=3)
    assert filled(s.placed[0]) == 100 and s.position.size == 200
    assert result.final_value == 10_000  # borrowed: value is unchanged at the same price
    _, s = run(rows, {0: lambda s: s.buy(size=100)}, commission=0.001)  # the fee tips it over
    assert s.placed[0].rule == "insufficient_margin"


def test_contradictory_arguments_are_programming_errors():
    # make_order checks only the arguments a call gives (a plain market order skips them all):
    # each one given is still checked
    for call, error, message in [
        (lambda s: s.buy(size=1, cash=5), ValueError, "not size and cash"),
        (lambda s: s.buy(cash=5, percent=5), ValueError, "not cash and percent"),
        (lambda s: s.buy(limit=1, trail=1), ValueError, "not limit= or stop="),
        (lambda s: s.buy(tif="FOK"), ValueError, "tif must be 'GTC' or 'IOC', got 'FOK'"),
        (lambda s: s.buy(size="1"), TypeError, "size must be a number, got str"),
        (lambda s: s.buy(size=1, stop="99"), TypeError, "stop must be a number, got str"),
        (lambda s: s.buy(size=1, take_profit="101"), TypeError, "take_profit must be a number, got str"),
        (lambda s: s.sell(size=1, data=s.data.close), ValueError, "is not a feed of this run"),
    ]:
        with pytest.raises(ct.StrategyError) as e:
            run([FLAT, FLAT], {0: call})
        assert isinstance(e.value.__cause__, error) and message in str(e.value)
    _, s = run([FLAT, FLAT], {0: lambda s: s.buy(size=1, tif="ioc")})
    assert s.placed[0].tif == "IOC"


def test_close_when_flat_does_nothing():
    _, s = run([FLAT, FLAT], {0: lambda s: s.close()})
    assert s.placed == {0: None} and not s.broker.orders


TRUTH = """
import math, sys
from cracktrader.accounting import Position
p = Position(None)
out = []
for size in (0.0, -0.0, 1.0, -2.5, 1e-300, math.nan, 0.0):
    p.size = size
    out.append((bool(p), not p, p.size))
print(type(p).__mro__[1].__module__, out)
"""


def test_a_position_is_falsy_exactly_when_flat_in_compiled_code_and_in_python():
    """CPython tests a position's truth (every bar's `not self.position`) in the extension;
    Pyodide, without it, in Python: the same answers."""
    import subprocess
    import sys

    def run(prefix=""):
        out = subprocess.run([sys.executable, "-c", prefix + TRUTH], capture_output=True, text=True, check=True)
        return out.stdout.split(" ", 1)

    (native, answers), (python, same) = run(), run("import sys; sys.modules['cracktrader._native'] = None\n")
    assert (native, python) == ("cracktrader._native", "cracktrader.accounting")
    assert answers == same
    assert answers.startswith("[(False, True, 0.0), (False, True, -0.0), (True, False, 1.0), (True, False, -2.5), "
                              "(True, False, 1e-300), (True, False, nan), (False, True, 0.0)]")
