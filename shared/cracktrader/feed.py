"""Feeds: one market's candles as lines, read at the feed's own cursor.

A `Feed` is what a strategy sees as `self.data` / `self.datas[i]`: lines `open`, `high`,
`low`, `close`, `volume` and `time` (UTC ms, the bar's open time). The feed is also the
clock of every line computed from it: `i` is the index of its current bar, -1 before the first.

The candles are checked before anything runs (`check_candles`): no silent wrong answer from
empty, unsorted, duplicated or non-finite data.
"""

import math
import operator
from array import array
from itertools import compress, count, islice

from .candles import Candles, timeframe_ms
from .data.errors import DataError
from .lines import Line

PRICES = ("open", "high", "low", "close")


def check_candles(candles, source, allow_empty=False):
    """Raise DataError naming the first bad row (1-based), field and rule; rows are bars."""
    if not isinstance(candles, Candles):
        raise TypeError(f"{source}: expected Candles (see ct.load_data), got {type(candles).__name__}")
    n = len(candles)
    if n == 0 and not allow_empty:
        raise DataError(source, None, None, "empty", "no candles")
    t = candles.time
    if not all(map(operator.lt, t, islice(t, 1, None))):
        i = next(i for i in range(1, n) if t[i] <= t[i - 1])
        rule = "duplicate_time" if t[i] == t[i - 1] else "unsorted_time"
        raise DataError(source, i + 1, "time", rule,
                        f"time {t[i]} {'repeats' if rule == 'duplicate_time' else 'is before'} the previous row's {t[i - 1]}")
    for name in (*PRICES, "volume"):
        col = getattr(candles, name)
        if not math.isfinite(sum(col)):  # a finite sum means every value is finite
            i = next((i for i, v in enumerate(col) if not math.isfinite(v)), None)
            if i is not None:
                raise DataError(source, i + 1, name, "not_finite", f"{name} is {col[i]} at time {t[i]}")
    h, lo = candles.high, candles.low
    for name in ("open", "close"):
        col = getattr(candles, name)
        i = min(_first_false(operator.le, col, h), _first_false(operator.ge, col, lo))
        if i < n:
            raise DataError(source, i + 1, name, "outside_range",
                            f"{name} {col[i]} is outside the bar's low..high {lo[i]}..{h[i]} at time {t[i]}")


def _first_false(op, a, b):
    """The first index where op(a[i], b[i]) is false, len(a) if none (a C-speed scan)."""
    return next(compress(count(), map(operator.not_, map(op, a, b))), len(a))


def bar_ms(candles):
    """The bar length in ms: the candles' timeframe, else the smallest step between times
    (None for a single bar of unknown timeframe)."""
    if candles.timeframe:
        return timeframe_ms(candles.timeframe)
    t = candles.time
    if len(t) < 2:
        return None
    return min(map(operator.sub, islice(t, 1, None), t))


class Feed:
    """A market's candles as lines; the clock (`i`) of every line computed from them."""

    def __init__(self, candles, index=0, source=None, allow_empty=False):
        source = source or candles.symbol or f"data{index}"
        check_candles(candles, source, allow_empty)
        self.index = index
        self.symbol = candles.symbol
        self.timeframe = candles.timeframe
        self.exchange = candles.exchange
        self.name = " ".join(x for x in (candles.symbol, candles.timeframe) if x) or f"data{index}"
        self.bar_ms = bar_ms(candles)
        self.i = -1
        self.nodes = []  # derived lines and indicators, in creation order (live runs extend them)
        self.warmup = 0  # bars before every line made from this feed holds a value
        self.time = Line(array("q", candles.time), self, 0, "time")
        for name in (*PRICES, "volume"):
            setattr(self, name, Line(array("d", getattr(candles, name)), self, 0, name))

    def add_node(self, node, warmup):
        self.nodes.append(node)
        self.warmup = max(self.warmup, warmup)

    def check_bar(self, time, open, high, low, close, volume):
        """Check one new bar as `check_candles` would, against this feed's last bar."""
        check_candles(Candles.from_columns([time], [open], [high], [low], [close], [volume]), self.name)
        if len(self.time.values) and time <= self.time.values[-1]:
            raise DataError(self.name, None, "time", "unsorted_time" if time < self.time.values[-1] else "duplicate_time",
                            f"bar time {time} is not after the last bar's {self.time.values[-1]}")

    def append(self, time, open, high, low, close, volume):
        """Add one checked bar (a live run) and extend every line computed from the feed."""
        for line, value in zip((self.time, self.open, self.high, self.low, self.close, self.volume), (time, open, high, low, close, volume)):
            line.values.append(value)
        for node in self.nodes:
            node.extend()

    def __len__(self):
        """Bars seen so far."""
        return self.i + 1

    def __bool__(self):
        return True

    def __repr__(self):
        return f"<Feed {self.name}>"


def close_times(feed):
    """When each bar of `feed` has closed: a bar is visible from then on."""
    if feed.bar_ms is None:
        raise ValueError(f"{feed.name}: cannot tell when its bars close (one bar, no timeframe): set Candles.timeframe")
    step = feed.bar_ms
    return [t + step for t in feed.time.values]


def align(feeds):
    """The shared timeline of several feeds: the sorted close times of all their bars, and per
    feed the index of its last closed bar at each step (-1 before its first bar closes)."""
    closes = [close_times(f) for f in feeds]
    steps = sorted(set().union(*closes))
    cursors = []
    for times in closes:
        cur = array("q", bytes(8 * len(steps)))
        j, last = 0, len(times)
        for s, key in enumerate(steps):
            while j < last and times[j] <= key:
                j += 1
            cur[s] = j - 1
        cursors.append(cur)
    return steps, cursors
