"""Strategies declared as signals, and the rules that trade them.

A `SignalStrategy` builds its entry and exit signals in `signals()` from its data and
parameters, and `next()` trades them by the rules below. The vectorized kernel
(`wasm/src/vectorized`) follows the same rules over whole columns, so `ct.vectorized` gives the
same trades, fees and equity as the event engine, to the last bit; this `next()` is their spec.

On each bar from the first where every line built in `init()` has a value:

- an exit signal (non-zero) closes an open position with a market order, after canceling its
  stops;
- an entry signal opens a position when flat — long with `direction="long"`, short with
  `"short"`, by the signal's sign with `"both"` (+1 long, -1 short), where a signal for the
  other side reverses the position: a close, then an entry;
- an exit wins over an entry on the same bar: in a position the bar closes it and stays flat;
  flat, the entry opens (there is nothing to exit);
- an entry is a market order sized at the bar's close (`size` in `size_type` units, cash or
  percent of equity; else the run's `sizing`), filled at the next bar's open (or, with
  `fill="close"`, at this bar's close), like `self.buy()`;
- `stop_loss` / `take_profit` (fractions: 0.02 = 2%) make it a bracket with exits at the
  bar's close times (1 - stop_loss) and (1 + take_profit) for a long (the other way for a
  short): they work from the fill, filled by the run's intrabar policy;
- `trail_stop` places a trailing stop, `trail_stop` under the best price (over it for a
  short), on the first bar the position is seen open, trailing from that bar's close;
- a NaN signal is an error; signals before the warm-up are not read.
"""

import math
from array import array

from ..lines import Line
from ..strategy import Strategy

DIRECTIONS = ("long", "short", "both")
SIZE_TYPES = ("units", "cash", "percent")
_ONE_BYTE = ("?", "B", "b")  # bool, uint8, int8: taken as they are, like float64 ("d")


def _fraction(name, value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ValueError(f"{name} must be a fraction of the price between 0 and 1 (0.02 = 2%), got {value!r}")
    return float(value)


class Signals:
    """What a signal strategy trades: `entries` and `exits` columns and the rules around them.

    A column is a line built from the data (`ct.ind.SMA(d.close, 10) > ct.ind.SMA(d.close, 30)`,
    `ct.ind.CROSSOVER(...)`), an array of one value per bar (numbers or bools: array('d'),
    numpy, a list), or a function of the data feed returning one. `entries` may also be a
    function returning `(entries, exits)` (built once, from shared lines). `exits=None`: never.
    """

    __slots__ = ("entries", "exits", "direction", "stop_loss", "take_profit", "trail_stop", "size", "size_type")

    def __init__(self, entries, exits=None, *, direction="long", stop_loss=None, take_profit=None, trail_stop=None,
                 size=None, size_type="units"):
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
        if size_type not in SIZE_TYPES:
            raise ValueError(f"size_type must be one of {', '.join(SIZE_TYPES)}, got {size_type!r}")
        if size is not None and (isinstance(size, bool) or not isinstance(size, (int, float))):
            raise TypeError(f"size must be a number, got {type(size).__name__}")
        self.entries, self.exits, self.direction = entries, exits, direction
        self.stop_loss = _fraction("stop_loss", stop_loss)
        self.take_profit = _fraction("take_profit", take_profit)
        self.trail_stop = _fraction("trail_stop", trail_stop)
        self.size, self.size_type = size, size_type

    @classmethod
    def of(cls, value):
        """Signals from Signals, or an (entries, exits) pair."""
        if isinstance(value, Signals):
            return value
        if isinstance(value, tuple) and len(value) == 2:
            return cls(*value)
        raise TypeError(f"signals(): expected ct.vectorized.Signals(entries, exits, ...) or (entries, exits), "
                        f"got {type(value).__name__}")

    def order_size(self):
        """The sizing arguments of the entry's buy()/sell() (none: the run's sizing)."""
        if self.size is None:
            return {}
        return {{"units": "size"}.get(self.size_type, self.size_type): self.size}

    def columns(self, feed):
        """(entries, exits) as columns of the feed's length: lines' values, byte or float64
        buffers, or array('d'); ValueError/TypeError for anything else."""
        entries, exits = self.entries, self.exits
        if callable(entries) and not isinstance(entries, Line):
            entries = entries(feed)
            if exits is None and isinstance(entries, tuple) and len(entries) == 2:
                entries, exits = entries
        n = len(feed.time.values)
        return _column("entries", entries, feed, n), _column("exits", exits, feed, n)

    def __repr__(self):
        stops = "".join(f", {k}={getattr(self, k)!r}" for k in ("stop_loss", "take_profit", "trail_stop") if getattr(self, k))
        return f"<Signals {self.direction}{stops}>"


def _column(name, x, feed, n):
    if x is None and name == "exits":
        return memoryview(bytes(n))  # no exit signals: zeros, one byte each
    if callable(x) and not isinstance(x, Line):
        x = x(feed)
    if isinstance(x, Line):
        if x.clock is not feed:
            raise ValueError(f"{name}: a line of another feed ({x.clock!r}): build signals from this run's data")
        col = x.values
    else:
        try:
            view = memoryview(x)
        except TypeError:
            view = None
        if view is not None and view.ndim != 1:
            raise ValueError(f"{name}: expected one column, got {view.ndim} dimensions")
        if view is not None and view.c_contiguous and (view.format in _ONE_BYTE or view.format == "d"):
            col = view
        elif isinstance(x, (str, bytes, bytearray, dict)):
            raise _type_error(name, x)
        else:
            try:
                col = array("d", x)
            except (TypeError, ValueError, OverflowError):
                raise _type_error(name, x) from None
    if len(col) != n:
        raise ValueError(f"{name} has {len(col)} values, the data has {n} bars")
    return col


def _type_error(name, x):
    return TypeError(f"{name}: expected a line, a column of numbers or bools (array, numpy, list) or a function "
                     f"of the data returning one, got {type(x).__name__}")


def bad_signal(feed, name, i):
    """The error for a NaN signal (the kernel words it the same)."""
    raise ValueError(f"{name} is NaN at bar {i} (time {feed.time.values[i]}): signals are numbers (0: none)")


class SignalStrategy(Strategy):
    """A strategy that declares its trades as signals: override `signals()`, not `next()`.

        class SmaCross(ct.vectorized.SignalStrategy):
            params = dict(fast=10, slow=30)

            def signals(self):
                fast = ct.ind.SMA(self.data.close, self.p.fast)
                slow = ct.ind.SMA(self.data.close, self.p.slow)
                return ct.vectorized.Signals(fast > slow, fast < slow, stop_loss=0.05)

    The event engine runs it with `next()` below; the vectorized kernel runs the same rules
    over whole columns (`ct.vectorized.plan`). An `init()` of your own must call
    `super().init()`.
    """

    framework = True  # errors raised here are about the signals, not this file's lines

    def signals(self):
        """The Signals to trade (or an (entries, exits) pair), built from self.data and self.p."""
        raise NotImplementedError(f"{type(self).__name__} must define signals() returning ct.vectorized.Signals")

    def init(self):
        self.signal_spec = Signals.of(self.signals())
        self._entries, self._exits = self.signal_spec.columns(self.data)
        self._size = self.signal_spec.order_size()
        self._protect, self._trailed = [], False

    def next(self):
        i = self.data.i
        entry, leave = self._entries[i], self._exits[i]
        if entry != entry or leave != leave:
            bad_signal(self.data, "entries" if entry != entry else "exits", i)
        spec = self.signal_spec
        if spec.direction == "both":
            enter = (entry > 0) - (entry < 0)
        else:
            enter = (1 if spec.direction == "long" else -1) if entry else 0
        held = self.position.size
        if held:
            if leave:
                self._close()
            elif enter and (enter > 0) != (held > 0):
                self._close()
                self._enter(enter)
            elif spec.trail_stop is not None and not self._trailed:
                self._trailed = True
                exit = self.sell if held > 0 else self.buy
                self._protect.append(exit(size=abs(held), trail_percent=spec.trail_stop * 100, reduce_only=True))
        elif enter:
            self._enter(enter)

    def _close(self):
        for order in self._protect:
            if order.alive:
                self.cancel(order)
        self._protect = []
        self.close()

    def _enter(self, side):
        spec, close, kwargs = self.signal_spec, self.data.close[0], dict(self._size)
        if spec.stop_loss is not None:
            kwargs["stop_loss"] = close * (1 - spec.stop_loss) if side > 0 else close * (1 + spec.stop_loss)
        if spec.take_profit is not None:
            kwargs["take_profit"] = close * (1 + spec.take_profit) if side > 0 else close * (1 - spec.take_profit)
        order = self.buy(**kwargs) if side > 0 else self.sell(**kwargs)
        self._protect = list(order.children)
        self._trailed = False


class ArraySignals(SignalStrategy):
    """Trades the Signals given as its `signals` parameter: what `ct.vectorized.backtest`
    runs, and its twin in the event engine: `ct.backtest(ArraySignals, data,
    params=dict(signals=ct.vectorized.Signals(entries, exits, ...)))`."""

    params = dict(signals=None)
    framework = True

    def signals(self):
        if self.p.signals is None:
            raise ValueError("ArraySignals trades params=dict(signals=ct.vectorized.Signals(entries, exits, ...))")
        return self.p.signals


def kernel_spec(spec, sizing, start):
    """The kernel's numbers for Signals `spec` under the run's `sizing` (Engine.sizing) from
    bar `start`: (direction, sizing code, size, stop_loss, take_profit, trail_stop, start)."""
    if spec.size is None:
        how, units, percent = sizing
        code, size = (0, units) if how == "size" else (2, percent)
    else:
        code, size = SIZE_TYPES.index(spec.size_type), float(spec.size)
    nan = math.nan
    stops = [nan if v is None else v for v in (spec.stop_loss, spec.take_profit, spec.trail_stop)]
    return (float(DIRECTIONS.index(spec.direction)), float(code), float(size), *stops, float(start))


def evaluate(strategy, params, feed):
    """The Signals, columns and first bar of a SignalStrategy class with `params` on `feed`
    (as the engine would build them), without an engine: a sweep's columns share one feed.
    The feed's derived lines are dropped first, so the warm-up is this strategy's alone."""
    from ..strategy import resolve_params

    feed.nodes, feed.warmup, feed.i = [], 0, -1
    s = strategy()
    s.p = s.params = resolve_params(strategy, params)
    s.datas, s.data, s.data0 = [feed], feed, feed
    s.init()
    return s.signal_spec, s._entries, s._exits, feed.warmup


__all__ = ["ArraySignals", "DIRECTIONS", "SIZE_TYPES", "SignalStrategy", "Signals", "bad_signal", "evaluate",
           "kernel_spec"]
