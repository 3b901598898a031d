"""Walk-forward: folds never see the future, test windows warm up on the past, the stitched
curve compounds the test windows, bad windows are clear errors."""

import math

import pytest

import cracktrader as ct
from cracktrader.candles import Candles
from cracktrader.optimize.walkforward import folds
from support.optimize import Direction, SmaCross, candles

HOUR, DAY = 3_600_000, 86_400_000
T0 = 1_700_000_000_000 - 1_700_000_000_000 % DAY


def regimes(months=6, drift=0.002):
    """Hourly bars: the price rises for 30 days, falls for 30, and so on."""
    closes, price = [], 100.0
    for m in range(months):
        for k in range(30 * 24):
            price *= 1 + (drift if m % 2 == 0 else -drift) + 0.0005 * ((k * 7919) % 11 - 5) / 5
            closes.append(price)
    opens = [100.0] + closes[:-1]
    return Candles.from_columns([T0 + k * HOUR for k in range(len(closes))], opens,
                                [max(o, c) * 1.001 for o, c in zip(opens, closes)],
                                [min(o, c) * 0.999 for o, c in zip(opens, closes)], closes, [1.0] * len(closes),
                                symbol="REG/USDT", timeframe="1h")


def test_folds_are_laid_end_to_end():
    times = [T0 + k * DAY for k in range(100)]
    rolling = folds(times, DAY, 30 * DAY, 10 * DAY, 2 * DAY)
    assert rolling[0] == (T0, T0 + 30 * DAY, T0 + 32 * DAY, T0 + 42 * DAY)
    assert rolling[1] == (T0 + 10 * DAY, T0 + 40 * DAY, T0 + 42 * DAY, T0 + 52 * DAY)
    assert rolling[-1][3] == T0 + 100 * DAY and len(rolling) == 7  # the last test window ends with the data
    assert all(f[0] == T0 for f in folds(times, DAY, 30 * DAY, 10 * DAY, 0, anchored=True))


def test_a_strategy_that_needs_the_future_earns_nothing_out_of_sample():
    data = regimes()
    wf = ct.walk_forward(Direction, data, space=dict(side=[-1, 1]), params=dict(warm=5), train="30d", test="30d",
                         objective="total_return", jobs=1)
    assert len(wf.folds) == 5
    for f in wf.folds:
        month = (f["train"][0] - T0) // (30 * DAY)
        assert f["params"]["side"] == (1 if month % 2 == 0 else -1)  # the train window's trend...
        assert f["out_of_sample"]["total_return"] < 0  # ...which the next window reverses
    assert wf.stats["total_return"] < 0 and wf.efficiency < 0


def test_each_run_sees_only_bars_up_to_its_window_and_trades_from_its_first_bar():
    seen = []

    class Spy(Direction):
        def init(self):
            super().init()
            seen.append((self.data.time.values[-1], self.p.side))

    data = regimes(4)
    wf = ct.walk_forward(Spy, data, space=dict(side=[-1, 1]), params=dict(warm=200), train="30d", test="30d",
                         objective="total_return", jobs=1)
    windows = [(f["train"][1], f["test"][1]) for f in wf.folds]
    ends = sorted({t for t, _ in seen})
    assert ends == sorted({end - HOUR for pair in windows for end in pair})  # the last bar loaded: a window's last
    for f in wf.folds[1:]:  # a 200-bar warm-up from the bars before the window: trading starts at once
        first = min(t.entry_time for t in f["result"].trades + f["result"].open_trades)
        assert first == f["test"][0] + HOUR  # the signal on the window's first bar fills at the next open


def test_the_stitched_curve_compounds_the_test_windows():
    data = candles(4000, bar_ms=HOUR)
    wf = ct.walk_forward(SmaCross, data, space=dict(fast=[5, 10], slow=[30, 60]), train="40d", test="20d", jobs=1,
                         commission=0.001)
    growth = math.prod(1 + f["out_of_sample"]["total_return"] for f in wf.folds)
    assert wf.stats["total_return"] == pytest.approx(growth - 1, rel=1e-12)
    at = 0
    for f in wf.folds:  # each window starts where the previous ended
        n = len(f["result"].equity)
        scale = wf.equity[at] / f["result"].equity[0]
        assert wf.equity[at + n - 1] == pytest.approx(f["result"].equity[-1] * scale, rel=1e-12)
        at += n
    assert at == len(wf.equity) and list(wf.times) == sorted(set(wf.times))
    pooled = ct.walk_forward(SmaCross, data, space=dict(fast=[5, 10], slow=[30, 60]), train="40d", test="20d", jobs=2,
                             commission=0.001)
    assert pooled.table() == wf.table()


def test_a_fold_without_enough_history_says_why_and_the_walk_goes_on():
    data = regimes(3)
    wf = ct.walk_forward(Direction, data, space=dict(side=[-1, 1]), params=dict(warm=800), train="20d", test="20d",
                         jobs=1)
    first = wf.folds[0]
    assert first["params"] is None and "not enough data" in first["reason"]
    assert any(f["params"] is not None for f in wf.folds[1:])
    with pytest.raises(ValueError, match="no fold could choose parameters: not enough data"):
        ct.walk_forward(Direction, regimes(1), space=dict(side=[-1, 1]), params=dict(warm=900), train="10d", test="10d",
                        jobs=1)


@pytest.mark.parametrize("kwargs,message", [
    (dict(train="1y"), "train '1y': expected a duration"),
    (dict(train="400d"), "too short for a 400d train window"),
    (dict(objective=["sharpe", "cagr"]), "one objective"),
])
def test_bad_windows_are_clear_errors(kwargs, message):
    options = dict(space=dict(fast=[5, 10]), train="30d", test="10d", jobs=1) | kwargs
    with pytest.raises(ValueError, match=message):
        ct.walk_forward(SmaCross, candles(2000, bar_ms=HOUR), **options)


def test_start_warms_up_on_earlier_bars():
    data = candles(3000, bar_ms=HOUR)
    start = data.time[1000]
    windowed = ct.backtest(SmaCross, data, start=start)
    # SMA(30) needs 29 bars before `start`: running on those bars and after trades the same.
    cut = ct.backtest(SmaCross, data.slice(1000 - 29))
    assert [t.to_dict() for t in windowed.trades] == [t.to_dict() for t in cut.trades] and windowed.trades
    assert list(windowed.equity) == list(cut.equity[29:]) and windowed.times[0] == start
    held = sum(t.exit_step - t.entry_step for t in cut.trades) + sum(2029 - t.entry_step for t in cut.open_trades)
    assert windowed.stats["bars"] == 2000 and windowed.stats["exposure"] == held / 2000
    with pytest.raises(ValueError, match="no bar at or after it"):
        ct.backtest(SmaCross, data, start=data.time[-1] + HOUR)
