"""Feeds: one market's candles as lines, read at the feed's own cursor.

A `Feed` is what a strategy sees as `self.data` / `self.datas[i]`: lines `open`, `high`,
`low`, `close`, `volume` and `time` (UTC ms, the bar's open time). The feed is also the
clock of every line computed from it: `i` is the index of its current bar, -1 before the first.

The candles are checked before anything runs, by the data layer's rules (one kernel for both
runtimes, `data.checks`): no silent wrong answer from empty, unsorted, duplicated, non-finite or
inconsistent data. The check also gives the timeframe when the candles do not say it.
"""

from array import array

from .candles import Candles, timeframe_ms, to_array
from .data import checks
from .data.errors import DataError
from .lines import Line

PRICES = ("open", "high", "low", "close")


def check_candles(candles, source, allow_empty=False):
    """The candles' timeframe (given, or inferred; "" if unknown: one bar, none given), or
    DataError naming the first bad row (1-based), field and rule."""
    if not isinstance(candles, Candles):
        raise TypeError(f"{source}: expected Candles (see ct.load_data), got {type(candles).__name__}")
    if len(candles) == 0 and allow_empty:
        return candles.timeframe
    view = Candles(*candles.columns().values(), timeframe=candles.timeframe)  # check() sets view.timeframe
    return checks.check(view, source, candles.timeframe or None)


try:
    # The cursor `i` as an integer member (CPython): the extension's line reads take it from
    # there, not from the instance dict (lines.py).
    from ._native import ClockBase as _Clock
except ImportError:  # Pyodide: `i` in the instance dict
    class _Clock:
        __slots__ = ()


class Feed(_Clock):
    """A market's candles as lines; the clock (`i`) of every line computed from them."""

    def __init__(self, candles, index=0, source=None, allow_empty=False):
        source = source or candles.symbol or f"data{index}"
        self.timeframe = check_candles(candles, source, allow_empty)
        self.bar_ms = timeframe_ms(self.timeframe) if self.timeframe else None
        self.index = index
        self.symbol = candles.symbol
        self.exchange = candles.exchange
        self.name = " ".join(x for x in (candles.symbol, self.timeframe) if x) or f"data{index}"
        self.i = -1  # the current bar's index in the arrays as kept
        self.dropped = 0  # bars a live run's window dropped from the front of every line
        self.keep = None  # bars that window keeps at least (Engine keep=)
        self.nodes = []  # derived lines and indicators, in creation order (live runs extend them)
        self.warmup = 0  # bars before every line made from this feed holds a value
        # Own arrays: a live run appends to them (the candles' columns may be read-only views).
        self.time = Line(to_array(candles.time, "q"), self, 0, "time")
        for name in (*PRICES, "volume"):
            setattr(self, name, Line(to_array(getattr(candles, name), "d"), self, 0, name))

    def __getstate__(self):  # pickle: the default one does not see the compiled base's `i`
        return self.__dict__, {"i": self.i}

    def add_node(self, node, warmup):
        self.nodes.append(node)
        self.warmup = max(self.warmup, warmup)

    def check_bar(self, time, open, high, low, close, volume):
        """Check one new bar as `check_candles` would, after this feed's last bar."""
        from .kernels import ohlcv

        pair = [array(line.values.typecode, [*line.values[-1:], value]) for line, value in zip(
            (self.time, self.open, self.high, self.low, self.close, self.volume), (time, open, high, low, close, volume))]
        violation = ohlcv.validate(*pair, self.bar_ms or 0)
        if violation:
            _, field, rule, detail = violation
            raise DataError(self.name, None, field, rule, f"bar at {time}: {detail}")

    def append(self, time, open, high, low, close, volume):
        """Add one checked bar (a live run) and extend every line computed from the feed."""
        for line, value in zip((self.time, self.open, self.high, self.low, self.close, self.volume), (time, open, high, low, close, volume)):
            line.values.append(value)
        for node in self.nodes:
            node.extend()

    def trim(self, n):
        """Drop the oldest `n` bars of every line of the feed (a live run's window)."""
        for line in (self.time, self.open, self.high, self.low, self.close, self.volume):
            del line.values[:n]
        for node in self.nodes:
            node.trim(n)
        self.i -= n
        self.dropped += n

    def __len__(self):
        """Bars seen so far."""
        return self.i + 1 + self.dropped

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
