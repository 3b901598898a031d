"""Feeds and lines: indexing without look-ahead, arithmetic, indicators, several feeds aligned
on time, and the checks that refuse bad data."""

import math
from array import array

import pytest

import cracktrader as ct
import cracktrader.kernels as k
from cracktrader import synthetic
from support.engine import T0, candles


def run_collect(strategy, data, **options):
    engine = ct.Engine(strategy, data, **options)
    engine.run()
    return engine.strategy


class Reader(ct.Strategy):
    def init(self):
        self.seen = []
        self.sma = ct.ind.SMA(self.data.close, 3)

    def next(self):
        self.seen.append((len(self.data), self.data.close[0], self.data.close[-1], self.sma[0], self.data.time[0]))


def test_next_starts_once_indicators_have_values_and_reads_current_and_past_bars():
    rows = [(c, c, c, c) for c in (1.0, 2.0, 3.0, 4.0, 5.0)]
    s = run_collect(Reader, candles(rows))
    assert s.seen == [(3, 3.0, 2.0, 2.0, T0 + 120_000), (4, 4.0, 3.0, 3.0, T0 + 180_000), (5, 5.0, 4.0, 4.0, T0 + 240_000)]


def test_a_positive_index_reads_the_future_and_is_refused():
    class Peek(ct.Strategy):
        def next(self):
            self.data.close[1]

    with pytest.raises(ct.StrategyError) as e:
        run_collect(Peek, candles([(1, 1, 1, 1)] * 3))
    assert isinstance(e.value.__cause__, ct.LookAheadError) and "reads the future" in str(e.value)


def test_reading_before_the_first_bar_is_an_index_error_not_a_wrap_around():
    class Back(ct.Strategy):
        def next(self):
            self.data.close[-1]

    with pytest.raises(ct.StrategyError, match=r"close\[-1\]: only 1 bar"):
        run_collect(Back, candles([(1, 1, 1, 1)] * 3))


def test_the_current_bar_read_before_any_bar_is_an_index_error_and_only_an_int_indexes():
    """line[0] takes a short path (the common read): it still refuses to wrap around to the last
    bar before the first one, and other zeros are read as before (False is an int, 0.0 is not)."""
    class Early(ct.Strategy):
        def init(self):
            self.data.close[0]

    with pytest.raises(ct.StrategyError, match=r"close\[0\]: only 0 bar"):
        ct.Engine(Early, candles([(1, 1, 1, 1)] * 3))
    feed = ct.Engine(ct.Strategy, candles([(1, 1, 1, 1), (2, 2, 2, 2)])).run().feeds[0]
    assert (feed.close[0], feed.close[False], feed.close[-1]) == (2.0, 2.0, 1.0)
    with pytest.raises(TypeError, match="array indices must be integers"):
        feed.close[0.0]
    with pytest.raises(TypeError, match=r"close\['0'\]: index with an int"):
        feed.close["0"]


READS = """
import glob, importlib.machinery, importlib.util, sys
if sys.argv[1] == "python":  # as on Pyodide: the extension without LineBase, every read in Python
    folder = importlib.util.find_spec("cracktrader").submodule_search_locations[0]
    loader = importlib.machinery.ExtensionFileLoader("cracktrader._native", glob.glob(folder + "/_native*.so")[0])
    native = importlib.util.module_from_spec(importlib.util.spec_from_loader("cracktrader._native", loader))
    loader.exec_module(native)
    del native.LineBase
    sys.modules["cracktrader._native"] = native
import numpy as np
from cracktrader import synthetic
from cracktrader.feed import Feed
from cracktrader.lines import Line
feed = Feed(synthetic.ohlcv(10, seed=1))
from types import SimpleNamespace
other = SimpleNamespace(i=-1, dropped=0, keep=None)  # a clock that is no Feed
lines = [feed.close, feed.time, Line([1.5, 2.5, 3.5], feed), Line(memoryview(feed.open.values), feed),
         Line(feed.high.values, other, name="other")]
for line in lines:
    for i in (-1, 0, 2, 3, 9, 20):
        feed.i = other.i = i
        for ago in (0, -1, -2, -3, -9, -10, 1, 0.0, False, True, "x", None, np.int64(0), np.int64(-2), -10**30):
            try:
                got = repr(line[ago])
            except Exception as e:
                got = f"{type(e).__name__}: {e}"
            print(Line.__mro__[1].__module__, i, repr(ago), got)
"""


def test_reads_in_compiled_code_equal_the_reads_in_python_values_and_errors():
    """CPython reads `line[int]` in the extension, Pyodide in Python (Line._read): the same
    values, and the same errors for every bad index, on arrays, lists and memoryviews, with a
    feed or another clock."""
    import subprocess
    import sys

    def run(mode):
        return subprocess.run([sys.executable, "-c", READS, mode], capture_output=True, text=True, check=True).stdout

    native, python = run("native").splitlines(), run("python").splitlines()
    assert {x.split(" ")[0] for x in native} == {"cracktrader._native"}
    assert {x.split(" ")[0] for x in python} == {"cracktrader.lines"}
    assert [x.split(" ", 1)[1] for x in native] == [x.split(" ", 1)[1] for x in python]
    assert "3 0 1.5" not in native and "2 0 3.5" in " ".join(native)  # (a list line, at bar 2)
    assert sum("reads the future" in x for x in native) == 5 * 6 * 2  # 1 and True, every line, every bar
    assert sum("index out of range" in x for x in native) > 0


def test_lines_and_their_feed_are_freed_once_unreachable():
    """A line refers to its feed and the feed to its lines (its nodes): the garbage collector
    sees both references (the compiled base's traverse)."""
    import gc
    import weakref

    class Two(ct.Strategy):
        def init(self):
            self.sma = ct.ind.SMA(self.data.close, 3)
            self.up = self.data.close > self.sma

    engine = ct.Engine(Two, synthetic.ohlcv(50, seed=2, step=0.004)).run()
    feed, line = weakref.ref(engine.feeds[0]), engine.strategy.up
    assert line[0] in (0.0, 1.0)
    del engine, line
    gc.collect()
    assert feed() is None


def test_get_returns_recent_values_oldest_first():
    class Window(ct.Strategy):
        def init(self):
            self.got = []

        def next(self):
            if len(self.data) >= 3:
                self.got.append(self.data.close.get(size=3))

    s = run_collect(Window, candles([(c, c, c, c) for c in (1.0, 2.0, 3.0, 4.0)]))
    assert s.got == [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0]]


def test_arithmetic_and_comparisons_build_lines_once():
    class Maths(ct.Strategy):
        def init(self):
            c = self.data.close
            self.diff, self.ratio = c - self.data.open, c / self.data.open
            self.up, self.above = c > self.data.open, 2.5 < c
            self.scaled, self.neg, self.size = 2 * c + 1, -c, abs(self.data.open - c)
            self.zero_div = c / (c - c)
            self.rows = []

        def next(self):
            self.rows.append((self.diff[0], self.ratio[0], self.up[0], self.above[0], self.scaled[0], self.neg[0],
                              self.size[0], self.zero_div[0]))

    s = run_collect(Maths, candles([(2, 3, 1, 3), (4, 4, 2, 2)]))
    assert s.rows[0][:7] == (1.0, 1.5, 1.0, 1.0, 7.0, -3.0, 1.0)
    assert s.rows[1][:7] == (-2.0, 0.5, 0.0, 0.0, 5.0, -2.0, 2.0)
    assert all(math.isnan(r[7]) for r in s.rows)


def test_comparisons_with_nan_read_as_false():
    class Warm(ct.Strategy):
        def init(self):
            self.sma = ct.ind.SMA(self.data.close, 2)
            self.gt = self.data.close > self.sma
            self.lt = self.data.close < self.sma

    s = run_collect(Warm, candles([(1, 1, 1, 1), (2, 2, 2, 2)]))
    assert list(s.gt.values) == [0.0, 1.0] and list(s.lt.values) == [0.0, 0.0]


def test_a_whole_line_has_no_truth_value():
    class Ambiguous(ct.Strategy):
        def next(self):
            if self.data.close > 1:
                pass

    with pytest.raises(ct.StrategyError, match="ambiguous: compare values"):
        run_collect(Ambiguous, candles([(1, 1, 1, 1)] * 2))


def test_indicators_equal_their_kernels_and_take_a_feed_for_its_close():
    data = synthetic.ohlcv(500, seed=4)

    class Ind(ct.Strategy):
        def init(self):
            self.a = ct.ind.SMA(self.data.close, 20)
            self.b = ct.ind.SMA(self.data, n=20)
            self.c = ct.ind.SMA(self.a, 5)

    s = run_collect(Ind, data)
    assert s.a.values.tobytes() == s.b.values.tobytes() == k.sma(data.close, 20).tobytes()
    assert s.c.values.tobytes() == k.sma(s.a.values, 5).tobytes()
    assert (s.a.warmup, s.c.warmup) == (19, 23) and s.data.warmup == 23


@pytest.mark.parametrize("make, message", [
    (lambda s: ct.ind.SMA(s.data.close), "SMA: missing a required argument: .n. \\(parameters: n\\)"),
    (lambda s: ct.ind.SMA(s.data.close, 3, 4), "SMA: too many positional arguments"),
    (lambda s: ct.ind.SMA(s.data.close, m=3), "SMA: missing a required argument: .n."),
    (lambda s: ct.ind.SMA(s.data.close, 3, m=3), "SMA: got an unexpected keyword argument .m."),
    (lambda s: ct.ind.SMA([1.0, 2.0], 3), "expected the input line"),
    (lambda s: ct.ind.SMA(s.data.close, 0), "n must be >= 1"),
    (lambda s: s.data.close + "x", "lines combine with lines and numbers"),
])
def test_indicator_mistakes_name_the_problem(make, message):
    class Bad(ct.Strategy):
        def init(self):
            make(self)

    with pytest.raises(ct.StrategyError, match=message):
        run_collect(Bad, candles([(1, 1, 1, 1)] * 5))


def test_crossover_marks_the_bar_of_each_cross():
    class Cross(ct.Strategy):
        def init(self):
            self.x = ct.ind.CrossOver(self.data.close, 2.0)

    closes = (1.0, 3.0, 3.0, 2.0, 1.0, 2.5)
    s = run_collect(Cross, candles([(c, c, c, c) for c in closes]))
    assert math.isnan(s.x.values[0]) and list(s.x.values[1:]) == [1.0, 0.0, 0.0, -1.0, 1.0]


def five_and_one_minute():
    one = synthetic.ohlcv(30, seed=1, bar_ms=60_000, t0=T0 - T0 % 300_000)
    five = synthetic.ohlcv(6, seed=2, bar_ms=300_000, t0=T0 - T0 % 300_000, symbol="SYN/USDT")
    return one, five


def test_a_higher_timeframe_bar_is_visible_only_once_closed():
    one, five = five_and_one_minute()

    class Both(ct.Strategy):
        def init(self):
            self.seen = []

        def prenext(self):
            self.seen.append((self.data0.time[0], None))

        def next(self):
            self.seen.append((self.data0.time[0], self.data1.time[0]))

    s = run_collect(Both, [one, five])
    start = one.time[0]
    assert s.seen[:4] == [(start + m * 60_000, None) for m in range(4)]
    assert s.seen[4] == (start + 4 * 60_000, start)  # the 5m bar closes with the 5th minute
    assert s.seen[9] == (start + 9 * 60_000, start + 300_000) and s.seen[8][1] == start
    assert len(s.seen) == 30


def test_lines_of_different_feeds_do_not_combine():
    one, five = five_and_one_minute()

    class Mixed(ct.Strategy):
        def init(self):
            self.data0.close - self.data1.close

    with pytest.raises(ct.StrategyError, match="different feeds"):
        run_collect(Mixed, [one, five])


def test_feeds_with_gaps_align_on_time():
    a = candles([(1, 1, 1, 1)] * 4, symbol="A")
    b = ct.Candles.from_columns([T0, T0 + 120_000, T0 + 180_000], [5, 6, 7], [5, 6, 7], [5, 6, 7], [5, 6, 7], [1, 1, 1],
                                symbol="B", timeframe="1m")

    class Two(ct.Strategy):
        def init(self):
            self.seen = []

        def next(self):
            self.seen.append((len(self.data0), len(self.data1), self.data1.close[0]))

    s = run_collect(Two, [a, b])
    assert s.seen == [(1, 1, 5.0), (2, 1, 5.0), (3, 2, 6.0), (4, 3, 7.0)]


@pytest.mark.parametrize("cols, row, field, rule", [
    (dict(time=[], open=[], high=[], low=[], close=[], volume=[]), None, None, "empty"),
    (dict(time=[T0, T0 + 120_000, T0 + 60_000]), 3, "time", "unsorted"),
    (dict(time=[T0, T0 + 60_000, T0 + 60_000]), 3, "time", "duplicate_time"),
    (dict(close=[1, float("nan"), 1]), 2, "close", "nan"),
    (dict(low=[1, 1, float("-inf")]), 3, "low", "infinite"),
    (dict(open=[1, 1, 3]), 3, "high", "high_below_open_close"),
    (dict(close=[1, 0.5, 1]), 2, "low", "low_above_open_close"),
    (dict(volume=[1, -1, 1]), 2, "volume", "negative_volume"),
])
def test_bad_data_is_refused_naming_row_field_and_rule(cols, row, field, rule):
    base = dict(time=[T0, T0 + 60_000, T0 + 120_000], open=[1, 1, 1], high=[2, 2, 2], low=[1, 1, 1], close=[1, 1, 1],
                volume=[1, 1, 1])
    data = ct.Candles.from_columns(**{**base, **cols}, symbol="BAD")
    with pytest.raises(ct.DataError) as e:
        ct.backtest(ct.Strategy, data)
    assert (e.value.source, e.value.row, e.value.field, e.value.rule) == ("BAD", row, field, rule)


def test_not_enough_data_for_the_indicators_is_an_error():
    class Slow(ct.Strategy):
        def init(self):
            self.sma = ct.ind.SMA(self.data.close, 30)

    with pytest.raises(ValueError, match="needs 30 bars, has 20"):
        ct.backtest(Slow, synthetic.ohlcv(20))


def test_feed_columns_are_copies():
    data = synthetic.ohlcv(50)
    before = array("d", data.close)
    engine = ct.Engine(Reader, data)
    engine.run()
    engine.push((data.time[-1] + 60_000, 1.0, 1.0, 1.0, 1.0, 1.0))
    assert data.close == before and len(data) == 50
