"""Partial fills: with `volume_limit`, an order fills at most that share of each bar's volume per
bar and the rest keeps working, seen in notify_order as "partial" until it is done."""

from array import array

import pytest

import cracktrader as ct
from support.engine import MINUTE, T0, Script

FLAT = (100.0, 100.0, 100.0, 100.0)


def bars(rows):
    """Candles from (open, high, low, close, volume) rows."""
    cols = list(zip(*rows))
    return ct.Candles.from_columns([T0 + k * MINUTE for k in range(len(rows))], *cols, symbol="X/USD", timeframe="1m")


def run(rows, plan, **options):
    options.setdefault("cash", 10_000)
    engine = ct.Engine(Script, bars(rows), params=dict(plan=plan), **options)
    engine.run()
    return engine.result(), engine.strategy


def order_log(strategy, order):
    return [(e[0], e[3], e[4]) for e in strategy.log if e[1] == "order" and e[2] == order.id]


def test_market_order_fills_a_share_of_each_bar_at_each_open():
    rows = [(100, 101, 99, 100, 50), (102, 103, 101, 102, 20), (104, 105, 103, 104, 30), (106, 107, 105, 106, 50),
            (108, 109, 107, 108, 50)]
    result, s = run(rows, {0: lambda s: s.buy(size=10)}, volume_limit=0.1, commission=0.001)
    order = s.placed[0]
    # 10% of 20, then of 30, then the last 5 of 50's 5
    assert order_log(s, order) == [(0, "accepted", None), (1, "partial", 102), (2, "partial", (102 * 2 + 104 * 3) / 5),
                                   (3, "filled", (102 * 2 + 104 * 3 + 106 * 5) / 10)]
    assert order.filled == 10 and order.status == "filled"
    assert order.commission == pytest.approx(0.001 * (2 * 102 + 3 * 104 + 5 * 106), rel=1e-15)
    assert s.position.size == 10 and s.position.price == pytest.approx(order.price, rel=1e-15)
    assert result.equity[1] == pytest.approx(10_000 - 2 * 102 * 1.001 + 2 * 102, rel=1e-15)


def test_limit_rest_works_at_its_price_and_a_bar_without_volume_fills_nothing():
    rows = [(100, 101, 99, 100, 50), (100, 101, 97, 99, 10), (99, 100, 97, 98, 0), (99, 100, 96, 97, 100)]
    _, s = run(rows, {0: lambda s: s.buy(size=3, limit=98)}, volume_limit=0.1)
    assert order_log(s, s.placed[0]) == [(0, "accepted", None), (1, "partial", 98), (3, "filled", 98)]
    assert s.position.size == 3


def test_a_gap_fills_the_part_at_the_open_and_the_rest_keeps_its_limit():
    rows = [(100, 101, 99, 100, 50), (95, 96, 94, 95, 10), (99, 100, 98.5, 99, 10), (97, 99, 96, 98, 100)]
    _, s = run(rows, {0: lambda s: s.buy(size=3, limit=98)}, volume_limit=0.1)
    # the rest fills at 98 or better: the open of the last bar, 97
    assert order_log(s, s.placed[0]) == [(0, "accepted", None), (1, "partial", 95), (3, "filled", (95 + 97 * 2) / 3)]


def test_ioc_keeps_what_filled_on_its_first_bar_and_expires_the_rest():
    rows = [FLAT + (50,), (100, 101, 99, 100, 10), FLAT + (50,)]
    _, s = run(rows, {0: lambda s: s.buy(size=5, tif="IOC")}, volume_limit=0.1)
    order = s.placed[0]
    # two changes on one bar: both notifications show the order as it is when delivered
    assert order_log(s, order) == [(0, "accepted", None), (1, "expired", 100), (1, "expired", 100)]
    assert order.filled == 1 and s.position.size == 1


def test_a_triggered_stop_fills_its_rest_at_the_next_opens():
    rows = [(100, 101, 99, 100, 50), (100, 103, 99, 102, 10), (104, 105, 103, 104, 10), (105, 106, 104, 105, 100)]
    _, s = run(rows, {0: lambda s: s.buy(size=2.5, stop=102)}, volume_limit=0.1)
    assert order_log(s, s.placed[0]) == [(0, "accepted", None), (1, "partial", 102), (2, "partial", 103),
                                         (3, "filled", (102 + 104 + 105 * 0.5) / 2.5)]


def test_market_at_close_fills_its_part_at_the_close_and_the_rest_at_the_next_open():
    rows = [(100, 101, 99, 100.5, 10), (102, 103, 101, 102, 50)]
    _, s = run(rows, {0: lambda s: s.buy(size=3, fill="close")}, volume_limit=0.1)
    assert order_log(s, s.placed[0]) == [(0, "partial", 100.5), (0, "partial", 100.5), (1, "filled", (100.5 + 102 * 2) / 3)]


def test_bracket_exits_wait_for_the_whole_entry():
    rows = [(100, 101, 99, 100, 50), (100, 101, 99, 100, 10), (100, 101, 99, 100, 10), (100, 111, 99, 110, 100)]
    _, s = run(rows, {0: lambda s: s.buy(size=2, take_profit=110)}, volume_limit=0.1)
    entry = s.placed[0]
    tp = entry.children[0]
    assert order_log(s, entry) == [(0, "accepted", None), (1, "partial", 100), (2, "filled", 100)]
    assert order_log(s, tp)[:1] == [(2, "accepted", None)]  # activated once the entry was whole
    assert tp.status == "filled" and tp.filled == 2 and s.position.size == 0


def test_an_entry_canceled_after_a_part_keeps_its_exits_for_that_part():
    rows = [(100, 101, 99, 100, 50), (100, 101, 99, 100, 10), (100, 101, 99, 100, 100), (100, 111, 99, 110, 100)]

    def cancel(s):
        s.cancel(s.placed[0])

    _, s = run(rows, {0: lambda s: s.buy(size=2, limit=100.5, take_profit=110), 1: cancel}, volume_limit=0.1)
    entry, tp = s.placed[0], s.placed[0].children[0]
    assert entry.status == "canceled" and entry.filled == 1
    assert tp.status == "filled" and tp.filled == 1 and s.position.size == 0


def test_exits_fill_in_parts_too_and_reduce_only_stops_at_flat():
    rows = [(100, 101, 99, 100, 100), (100, 101, 99, 100, 100), (100, 101, 99, 100, 5), (100, 101, 99, 100, 100)]
    _, s = run(rows, {0: lambda s: s.buy(size=2), 1: lambda s: s.close()}, volume_limit=0.1)
    close = s.placed[1]
    assert order_log(s, close) == [(1, "accepted", None), (2, "partial", 100), (3, "filled", 100)]
    assert close.filled == 2 and s.position.size == 0


def test_a_limit_large_enough_changes_nothing():
    from cracktrader import synthetic
    from support.strategies import Busy

    data = synthetic.ohlcv(800, seed=5, step=0.004)
    data.volume = array("d", [v * 1000 for v in data.volume])
    options = dict(cash=10_000, commission=0.001, slippage=3)
    plain = ct.backtest(Busy, data, **options)
    assert len(plain.trades) > 5
    assert max(o.size for o in plain.orders) < min(data.volume)  # every order fits in any bar
    assert ct.backtest(Busy, data, volume_limit=1.0, **options).to_json() == plain.to_json()


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, "10%", True, float("nan")])
def test_bad_volume_limit(bad):
    with pytest.raises(ValueError, match="volume_limit"):
        ct.Engine(Script, bars([FLAT + (1,)]), volume_limit=bad)



def test_backtrader_fills_the_same_parts():
    """backtrader's FixedBarPerc filler as the oracle, where it applies: it fills whole units
    (the floor of perc% of the volume), so the volumes here make every share whole."""
    bt = pytest.importorskip("backtrader")
    import pandas as pd

    rows = [(100, 101, 99, 100, 50), (102, 103, 101, 102, 20), (104, 105, 103, 104, 30), (106, 107, 105, 106, 50),
            (108, 109, 107, 108, 50), (107, 108, 106, 107, 10), (105, 106, 104, 105, 40)]
    plan = {0: lambda s: s.buy(size=10), 4: lambda s: s.sell(size=5)}

    class Bt(bt.Strategy):
        def __init__(self):
            self.parts = []

        def next(self):
            if len(self) - 1 in plan:
                (self.buy if len(self) == 1 else self.sell)(size=10 if len(self) == 1 else 5)

        def notify_order(self, order):
            if order.status in (order.Partial, order.Completed):
                self.parts.append((len(self) - 1, abs(order.executed.size), order.executed.price))

    frame = pd.DataFrame(rows, columns=["open", "high", "low", "close", "volume"],
                         index=pd.date_range("2024-01-01", periods=len(rows), freq="1min"))
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=frame, openinterest=None))
    cerebro.addstrategy(Bt)
    cerebro.broker.setcash(10_000)
    cerebro.broker.set_filler(bt.broker.fillers.FixedBarPerc(perc=10))
    theirs = cerebro.run()[0].parts
    result, s = run(rows, plan, volume_limit=0.1)
    ours = [(e[0], o.filled, e[4]) for e in s.log if e[1] == "order" and e[3] in ("partial", "filled")
            for o in s.placed.values() if o.id == e[2]]
    assert len(theirs) == 5
    assert [(bar, price) for bar, _, price in ours] == [(bar, pytest.approx(price, rel=1e-15)) for bar, _, price in theirs]
    assert result.final_value == pytest.approx(cerebro.broker.getvalue(), rel=1e-12)
