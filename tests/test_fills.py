"""The pure fill rules of shared/cracktrader/fills.py, without the engine: one bar's orders on a
book, the events `match_bar` returns. Hand-worked cases for each rule of its docstring (the gap
at the open, first touch along the path, stop-limits, brackets and OCO, the intrabar policies,
sub-bars, slippage and fees, margin and reduce-only, volume limits), then random bars and orders
against a plain reference of the price path."""

import random

import pytest

from cracktrader.costs import Commission, Slippage
from cracktrader.fills import POLICIES, Book, Sim, Working, match_bar, snap
from cracktrader.orders import BUY, LIMIT, MARKET, SELL, STOP, STOP_LIMIT, WAITING, Order

ids = iter(range(1, 1 << 30))


def order(side, type, size=1.0, **prices):
    return Order(next(ids), None, side, type, size, **prices)


def bracket(entry, stop_loss, take_profit):
    """An entry with its two exits, linked as the broker links them."""
    other = SELL if entry.side == BUY else BUY
    sl = order(other, STOP, entry.size, stop=stop_loss, reduce_only=True)
    tp = order(other, LIMIT, entry.size, limit=take_profit, reduce_only=True)
    for exit in (sl, tp):
        exit.parent, exit.status = entry, WAITING
    sl.oco, tp.oco = tp, sl
    entry.children = (sl, tp)
    return entry, sl, tp


def sim(orders, bar, cash=1e6, size=0.0, commission=0.0, slippage=None, leverage=1.0, cap=None):
    _, h, l, _ = bar
    book = Book(cash, size, 0.0, 0.0, leverage, Commission.of(commission))
    return Sim([Working.of(o) for o in orders], book, Slippage.of(slippage), h, l, cap)


def events(orders, bar, policy="adverse", sub_bars=None, **book):
    """What happened, as (kind, order, price or rule) tuples, and the book after the bar."""
    done = match_bar(sim(orders, bar, **book), *bar, policy, sub_bars)
    return [e[:3] for e in done.events], done.book


FLAT = (100.0, 101.0, 98.0, 100.0)  # a bar: open, high, low, close


# ---- The gap at the open and the first touch --------------------------------------------


def test_orders_the_open_satisfies_fill_at_the_open_in_submission_order():
    market, limit, stop = order(BUY, MARKET), order(BUY, LIMIT, limit=101.0), order(SELL, STOP, stop=102.0)
    got, _ = events([market, limit, stop], (100.0, 103.0, 99.0, 101.0), size=1.0)
    assert got == [("fill", market, 100.0), ("fill", limit, 100.0), ("fill", stop, 100.0)]


def test_limits_and_stops_fill_at_their_level_where_the_path_first_touches_it():
    buy_limit, buy_stop = order(BUY, LIMIT, limit=99.0), order(BUY, STOP, stop=104.0)
    sell_limit, sell_stop = order(SELL, LIMIT, limit=103.0), order(SELL, STOP, stop=98.0)
    got, _ = events([buy_limit, buy_stop, sell_limit, sell_stop], (100.0, 105.0, 97.0, 101.0))
    # Whatever the order of extremes, each fills at its own level (then the policy picks a path).
    assert sorted((e[2], e[1].id) for e in got) == sorted(
        (p, o.id) for p, o in ((99.0, buy_limit), (104.0, buy_stop), (103.0, sell_limit), (98.0, sell_stop)))


def test_fills_follow_the_path_not_the_submission_order():
    far, near = order(BUY, LIMIT, limit=97.0), order(BUY, LIMIT, limit=99.0)  # far was submitted first
    got, _ = events([far, near], (100.0, 100.0, 96.0, 98.0))
    assert got == [("fill", near, 99.0), ("fill", far, 97.0)]


def test_levels_the_bar_does_not_reach_do_not_fill():
    got, _ = events([order(BUY, LIMIT, limit=98.99), order(BUY, STOP, stop=103.01)], (100.0, 103.0, 99.0, 101.0))
    assert got == []


def test_a_level_at_the_extreme_fills():
    got, _ = events([order(BUY, LIMIT, limit=99.0), order(SELL, LIMIT, limit=103.0)], (100.0, 103.0, 99.0, 101.0), size=1.0)
    assert sorted(e[2] for e in got) == [99.0, 103.0]


# ---- Stop-limits, brackets, OCO ---------------------------------------------------------


def test_a_stop_limit_triggers_at_its_stop_then_fills_as_a_limit_later_on_the_path():
    o = order(BUY, STOP_LIMIT, stop=105.0, limit=104.0)
    got, _ = events([o], (100.0, 106.0, 99.0, 103.0))
    assert got == [("trigger", o, 105.0), ("fill", o, 104.0)]


def test_a_triggered_stop_limit_the_path_never_brings_back_to_its_limit_stays_working():
    o = order(BUY, STOP_LIMIT, stop=105.0, limit=104.0)
    got, _ = events([o], (100.0, 106.0, 104.5, 105.5))
    assert got == [("trigger", o, 105.0)]


def test_a_filled_bracket_entry_activates_its_exits_on_the_same_path():
    entry, sl, tp = bracket(order(BUY, LIMIT, limit=100.0), stop_loss=97.0, take_profit=106.0)
    got, book = events([entry], (101.0, 107.0, 96.0, 102.0))
    # High first: nothing until the fall, which fills the entry and then its stop. Low first:
    # the same fall, then the rise to 107 finds the stop-loss already filled.
    assert got == [("fill", entry, 100.0), ("fill", sl, 97.0), ("cancel", tp, "oco")]
    assert book.size == 0.0


def test_an_exit_filling_cancels_the_other_only():
    entry, sl, tp = bracket(order(BUY, MARKET), stop_loss=95.0, take_profit=102.0)
    got, _ = events([entry], (100.0, 103.0, 99.0, 101.0))
    assert got == [("fill", entry, 100.0), ("fill", tp, 102.0), ("cancel", sl, "oco")]


def test_exits_of_a_rejected_entry_are_canceled():
    entry, sl, tp = bracket(order(BUY, MARKET, size=100.0), stop_loss=95.0, take_profit=102.0)
    got, book = events([entry], (100.0, 103.0, 99.0, 101.0), cash=500.0)
    assert got == [("reject", entry, "insufficient_margin"), ("cancel", sl, "parent_not_filled"),
                   ("cancel", tp, "parent_not_filled")]
    assert (book.cash, book.size) == (500.0, 0.0)


# ---- The intrabar policy ------------------------------------------------------------------

LONG_WITH_EXITS = (100.0, 105.0, 97.0, 101.0)  # both exits of a long inside the bar


def long_exits():
    stop, take = order(SELL, STOP, stop=98.0, reduce_only=True), order(SELL, LIMIT, limit=104.0, reduce_only=True)
    stop.oco, take.oco = take, stop
    return stop, take


@pytest.mark.parametrize("policy, bar, fills", [
    ("adverse", LONG_WITH_EXITS, "stop"),
    ("favorable", LONG_WITH_EXITS, "take"),
    ("nearest", LONG_WITH_EXITS, "stop"),  # the low (3 away) is nearer the open than the high (5)
    ("nearest", (103.0, 105.0, 97.0, 101.0), "take"),  # the high (2 away) is nearer
])
def test_when_the_order_of_extremes_matters_the_policy_decides(policy, bar, fills):
    stop, take = long_exits()
    got, _ = events([stop, take], bar, policy, size=1.0)
    done, other = (stop, take) if fills == "stop" else (take, stop)
    assert got == [("fill", done, done.stop or done.limit), ("cancel", other, "oco")]


@pytest.mark.parametrize("policy", POLICIES)
def test_when_it_does_not_matter_every_policy_gives_the_same(policy):
    o = order(BUY, LIMIT, limit=98.0)
    assert events([o], LONG_WITH_EXITS, policy)[0] == [("fill", o, 98.0)]


def test_adverse_and_favorable_compare_the_account_value_at_the_close():
    # A short's exits: the stop (buy at 104 plus taker fee) is worse than the take-profit (buy at 98).
    stop, take = order(BUY, STOP, stop=104.0, reduce_only=True), order(BUY, LIMIT, limit=98.0, reduce_only=True)
    stop.oco, take.oco = take, stop
    for policy, want in (("adverse", stop), ("favorable", take)):
        got, _ = events([stop, take], LONG_WITH_EXITS, policy, size=-1.0, commission=0.001)
        assert got[0][:2] == ("fill", want), policy


def test_sub_bars_decide_the_order_of_extremes():
    stop, take = long_exits()
    high_first = [(100.0, 105.0, 99.5, 104.0), (104.0, 104.0, 97.0, 101.0)]
    got, _ = events([stop, take], LONG_WITH_EXITS, "adverse", high_first, size=1.0)
    assert got == [("fill", take, 104.0), ("cancel", stop, "oco")]


# ---- Prices, fees, the book ---------------------------------------------------------------


def test_slippage_moves_taker_fills_against_the_order_within_the_bar_and_spares_limits():
    stop, limit = order(SELL, STOP, stop=98.0), order(BUY, LIMIT, limit=99.0)
    got, _ = events([stop, limit], (100.0, 100.0, 97.9, 99.0), size=1.0, slippage=10)  # 10 bps
    assert got == [("fill", limit, 99.0), ("fill", stop, pytest.approx(98.0 * 0.999))]
    got, _ = events([order(SELL, STOP, stop=98.0)], (100.0, 100.0, 97.99, 99.0), size=1.0, slippage=10)
    assert got[0][2] == 97.99  # capped at the low: no fill at a price that did not trade


def test_limit_fills_pay_the_maker_rate_and_others_the_taker_rate():
    limit, market = order(BUY, LIMIT, size=2.0, limit=99.0), order(BUY, MARKET, size=3.0)
    done = match_bar(sim([market, limit], (100.0, 101.0, 98.0, 100.0), commission=Commission(0.001, 0.002)),
                     100.0, 101.0, 98.0, 100.0, "adverse")
    fees = {e[1].id: e[4] for e in done.events}
    assert fees == {market.id: 3.0 * 0.002 * 100.0, limit.id: 2.0 * 0.001 * 99.0}
    assert done.book.cash == 1e6 - 300.0 - fees[market.id] - 198.0 - fees[limit.id]


def test_reduce_only_orders_never_open_or_flip_a_position():
    got, _ = events([order(SELL, MARKET, reduce_only=True)], (100.0, 101.0, 99.0, 100.0))
    assert got[0][0::2] == ("cancel", "nothing_to_reduce")
    done = match_bar(sim([order(SELL, MARKET, size=5.0, reduce_only=True)], (100.0, 101.0, 99.0, 100.0), size=2.0),
                     100.0, 101.0, 99.0, 100.0, "adverse")
    assert done.events[0][3] == 2.0 and done.book.size == 0.0


def test_margin_is_checked_only_on_fills_that_add_exposure():
    buy = order(BUY, MARKET, size=20.0)
    assert events([buy], (100.0, 101.0, 99.0, 100.0), cash=1000.0)[0] == [("reject", buy, "insufficient_margin")]
    assert events([buy], (100.0, 101.0, 99.0, 100.0), cash=1000.0, leverage=2.0)[0] == [("fill", buy, 100.0)]
    sell = order(SELL, MARKET, size=20.0)  # closing a long needs no margin, even with little cash
    assert events([sell], (100.0, 101.0, 99.0, 100.0), cash=-1000.0, size=20.0)[0] == [("fill", sell, 100.0)]


def test_float_dust_left_by_partial_exits_counts_as_flat():
    assert snap(1.0, 1e-12) == 0.0 and snap(1.0, 1e-6) == 1e-6 and snap(3.0, -2.0) == -2.0
    held = 0.1 + 0.2  # 0.30000000000000004, bought in two parts
    done = match_bar(sim([order(SELL, MARKET, size=0.3, reduce_only=True)], FLAT, size=held), *FLAT, "adverse")
    assert done.book.size == 0.0  # the exit for "0.3" closes it, no 5.5e-17 left open


# ---- Volume limits: `cap` units per order on this bar ------------------------------------

def fills(done):
    """(order, price, size, final) of each fill."""
    return [(e[1], e[2], e[3], e[5]) for e in done.events if e[0] == "fill"]


def test_a_volume_cap_fills_part_of_an_order_once_at_its_price():
    limit, market = order(BUY, LIMIT, size=2.0, limit=99.0), order(BUY, MARKET, size=2.0)
    done = match_bar(sim([limit, market], FLAT, cap=0.5), *FLAT, "adverse")
    assert fills(done) == [(market, 100.0, 0.5, False), (limit, 99.0, 0.5, False)]
    assert done.book.size == 1.0


def test_the_rest_fills_on_a_later_bar_and_is_then_final():
    limit = order(BUY, LIMIT, size=2.0, limit=99.0)
    limit.filled = 0.5  # as the broker booked the first part
    done = match_bar(sim([limit], FLAT, size=0.5, cap=5.0), *FLAT, "adverse")
    assert fills(done) == [(limit, 99.0, 1.5, True)]


def test_a_bar_without_volume_fills_nothing():
    done = match_bar(sim([order(BUY, MARKET), order(BUY, LIMIT, limit=99.0)], FLAT, cap=0.0), *FLAT, "adverse")
    assert done.events == [] and done.book.size == 0.0


def test_the_rest_of_a_triggered_stop_fills_at_the_next_open():
    stop = order(SELL, STOP, size=2.0, stop=90.0)
    stop.triggered, stop.filled = True, 1.0
    assert Working.of(stop).kind == "market"
    done = match_bar(sim([stop], FLAT, size=1.0), *FLAT, "adverse")
    assert fills(done) == [(stop, 100.0, 1.0, True)]  # at the open, far above its stop


def test_bracket_exits_wait_for_their_entry_to_fill_completely():
    entry, sl, tp = bracket(order(BUY, MARKET, size=2.0), stop_loss=98.5, take_profit=100.5)
    done = match_bar(sim([entry], FLAT, cap=1.0), *FLAT, "adverse")
    assert fills(done) == [(entry, 100.0, 1.0, False)]  # both exit levels traded: neither works yet


# ---- Random bars against a reference of the price path ------------------------------------


def reference(orders, bar, policy, commission, start):
    """Each order alone (ample cash, no brackets): it fills at the open if the open satisfies
    it, else at its level on the first segment of the path that crosses it; fills are ordered
    by place on the path, then submission; an OCO order's fill cancels its sibling if that has
    not filled before it. The policy picks between the two paths as the docstring says."""
    o, h, l, c = bar

    def path_events(points):
        out = []
        for w in (Working.of(x) for x in orders):
            if w.holds(o):
                out.append(((0, 0.0, w.order.id), w.order, o))
                continue
            for k, (a, b) in enumerate(zip(points, points[1:]), 1):
                lo, hi = min(a, b), max(a, b)
                if lo <= w.level <= hi and (w.direction == 1) == (b >= a):
                    out.append(((k, abs(w.level - a), w.order.id), w.order, w.level))
                    break
        happened, gone = [], set()
        for _, x, price in sorted(out, key=lambda f: f[0]):
            if x.id in gone:
                continue
            happened.append(("fill", x, price))
            if x.oco is not None and x.oco.id not in gone:
                gone.add(x.oco.id)
                happened.append(("cancel", x.oco, "oco"))
            gone.add(x.id)
        return happened

    def value(fills):  # the book's arithmetic, step for step, so equal values compare equal
        cash, size = start, 0.0
        for kind, x, price in fills:
            if kind != "fill":
                continue
            signed = x.size if x.side == BUY else -x.size
            cash = cash - signed * price - commission.fee(x.size, price, x.type == LIMIT)
            size += signed
        return cash + size * c

    low_first, high_first = path_events([o, l, h, c]), path_events([o, h, l, c])
    if low_first == high_first:
        return low_first
    if policy == "nearest":
        return low_first if o - l <= h - o else high_first
    a, b = value(low_first), value(high_first)
    return low_first if (a <= b if policy == "adverse" else a >= b) else high_first


def test_random_bars_and_orders_match_the_reference_path():
    rng = random.Random(7)
    commission = Commission(0.0005, 0.001)
    filled = policy_mattered = 0
    for _ in range(2000):
        grid = lambda: 100.0 + rng.randint(-12, 12) / 2  # on a half-unit grid: levels hit the extremes exactly
        o, c, a, b = grid(), grid(), grid(), grid()
        h, l = max(o, c, a, b), min(o, c, a, b)
        orders = []
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice([LIMIT, STOP, MARKET])
            level = {LIMIT: "limit", STOP: "stop"}.get(kind)
            orders.append(order(rng.choice([BUY, SELL]), kind, rng.choice([1.0, 2.5]), **({level: grid()} if level else {})))
        if rng.random() < 0.5:  # exits on both sides of the open, cancelling each other
            side, below, above = rng.choice([SELL, BUY]), o - rng.randint(0, 8) / 2, o + rng.randint(0, 8) / 2
            stop = order(side, STOP, 1.0, stop=below if side == SELL else above)
            take = order(side, LIMIT, 1.0, limit=above if side == SELL else below)
            stop.oco, take.oco = take, stop
            orders += [stop, take]
        policy = rng.choice(POLICIES)
        bar = (o, h, l, c)
        got, _ = events(orders, bar, policy, cash=1e9, commission=commission)
        assert got == reference(orders, bar, policy, commission, 1e9), (orders, bar, policy)
        filled += len(got)
        policy_mattered += reference(orders, bar, "adverse", commission, 1e9) != reference(orders, bar, "favorable", commission, 1e9)
    assert filled > 2000 and policy_mattered > 100
