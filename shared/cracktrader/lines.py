"""Lines: a column of values read relative to the current bar.

`line[0]` is the current bar, `line[-1]` the one before; a positive index would read the
future and raises `LookAheadError`. A line holds its whole column (computed once) and reads
it at its clock's cursor `clock.i` — the feed it belongs to — so reading costs one index.

Arithmetic and comparisons between lines (and numbers) give new lines, computed once over the
whole column; comparisons give 1.0 or 0.0 (0.0 when either side is NaN). Every derived line
is also a node of its clock, so a live run can extend it one bar at a time (`extend`).
"""

import operator
from array import array
from itertools import repeat

NAN = float("nan")
# The int 0 (CPython keeps one object for it): `ago is _NOW` picks the current bar's read out;
# any other index, or another zero (0.0, False), takes the checked path, as before.
_NOW = 0


class LookAheadError(IndexError):
    """A positive index: that bar has not happened yet."""


def _div(a, b):
    # A zero denominator gives NaN (undefined) instead of stopping the whole column.
    return a / b if b else NAN


def _ordered(op):
    # Comparisons give floats; NaN on either side compares False, which reads as 0.0.
    return lambda a, b: 1.0 if op(a, b) else 0.0


try:
    # `line[ago]` for an int `ago` in compiled code (CPython): a read in Python is a frame of the
    # interpreter, and strategies read their lines on every bar. Other keys and errors: `_read`.
    from ._native import LineBase as _Column

    _READS_IN_PYTHON = False
except ImportError:  # Pyodide: every read by `_read`
    class _Column:
        __slots__ = ("values", "clock")

    _READS_IN_PYTHON = True


class Line(_Column):
    """A column of floats (or int times) read at `clock.i + ago`, `ago <= 0`.

    `warmup` is the number of leading bars that may hold NaN (an SMA(10) of prices: 9).
    """

    __slots__ = ("warmup", "name")

    def __init__(self, values, clock, warmup=0, name=""):
        self.values = values
        self.clock = clock
        self.warmup = warmup
        self.name = name

    def __getstate__(self):  # pickle: the default one does not see the compiled base's members
        return None, {name: getattr(self, name) for name in ("values", "clock", "warmup", "name")}

    def _read(self, ago):
        """`self[ago]` in Python: every read on Pyodide; on CPython the extension's reads of an
        int hand it the keys that are not ints and the reads that are errors."""
        if ago is _NOW:  # line[0], most reads: no addition (a new int past 256), one check
            i = self.clock.i
            if i >= 0:
                return self.values[i]
        try:
            i = self.clock.i + ago
            if ago > 0 or i < 0:
                raise _bad_index(self, ago)
        except TypeError:
            raise TypeError(f"{self.name}[{ago!r}]: index with an int (0 = current bar, -1 = previous)") from None
        return self.values[i]

    def get(self, ago=0, size=1):
        """The `size` values ending `ago` bars back, oldest first, as a list."""
        end = self.clock.i + ago + 1
        if ago > 0 or end - size < 0 or size < 1:
            raise _bad_index(self, ago if ago > 0 else ago - size + 1)
        return self.values[end - size : end].tolist()

    def __len__(self):
        """Bars seen so far (the current one included)."""
        return self.clock.i + 1 + self.clock.dropped

    def __bool__(self):
        raise TypeError(f"the truth of a whole line is ambiguous: compare values, e.g. {self.name or 'line'}[0]")

    def __repr__(self):
        return f"<Line {self.name or '?'} of {self.clock!r}>"

    # Arithmetic and comparisons build derived lines once over the column.
    def __add__(self, other): return derive(operator.add, "+", self, other)
    def __radd__(self, other): return derive(operator.add, "+", other, self)
    def __sub__(self, other): return derive(operator.sub, "-", self, other)
    def __rsub__(self, other): return derive(operator.sub, "-", other, self)
    def __mul__(self, other): return derive(operator.mul, "*", self, other)
    def __rmul__(self, other): return derive(operator.mul, "*", other, self)
    def __truediv__(self, other): return derive(_div, "/", self, other)
    def __rtruediv__(self, other): return derive(_div, "/", other, self)
    def __neg__(self): return derive(operator.sub, "-", 0.0, self)
    def __abs__(self): return derive(lambda a, _: abs(a), "abs", self, 0.0)
    def __lt__(self, other): return derive(_LT, "<", self, other)
    def __le__(self, other): return derive(_LE, "<=", self, other)
    def __gt__(self, other): return derive(_GT, ">", self, other)
    def __ge__(self, other): return derive(_GE, ">=", self, other)
    __hash__ = object.__hash__


if _READS_IN_PYTHON:
    Line.__getitem__ = Line._read

_LT, _LE, _GT, _GE = (_ordered(op) for op in (operator.lt, operator.le, operator.gt, operator.ge))


def _bad_index(line, ago):
    name, clock = line.name or "line", line.clock
    if ago > 0:
        return LookAheadError(f"{name}[{ago}] reads the future: use 0 for the current bar, -1 for the previous")
    if clock.dropped and clock.i + ago + clock.dropped >= 0:  # that bar was, and is not kept any more
        return IndexError(f"{name}[{ago}]: only the last {clock.keep:,} bars are kept in a live session: "
                          "raise keep_bars (Engine keep=)")
    return IndexError(f"{name}[{ago}]: only {clock.i + 1 + clock.dropped} bar(s) so far")


class Derived:
    """The node behind a derived line: `op(a, b)` where each side is a line or a number."""

    __slots__ = ("op", "a", "b", "out")

    def __init__(self, op, a, b, out):
        self.op, self.a, self.b, self.out = op, a, b, out

    def extend(self):
        a = self.a.values[-1] if isinstance(self.a, Line) else self.a
        b = self.b.values[-1] if isinstance(self.b, Line) else self.b
        self.out.values.append(self.op(a, b))

    def trim(self, n):
        del self.out.values[:n]


def _operand(x, symbol):
    if isinstance(x, Line):
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"line {symbol} {type(x).__name__}: lines combine with lines and numbers only")
    return float(x)


def derive(op, symbol, a, b):
    """The line op(a, b) over the whole column; a and b are lines of one clock, or numbers."""
    a, b = _operand(a, symbol), _operand(b, symbol)
    lines = [x for x in (a, b) if isinstance(x, Line)]
    clock = lines[0].clock
    if any(x.clock is not clock for x in lines):
        raise ValueError(
            f"cannot combine lines of different feeds ({lines[0].clock!r} and {lines[1].clock!r}) "
            "into one line: read their values in next() instead"
        )
    left = a.values if isinstance(a, Line) else repeat(a)
    right = b.values if isinstance(b, Line) else repeat(b)
    out = Line(array("d", map(op, left, right)), clock, max(x.warmup for x in lines), _name(symbol, a, b))
    clock.add_node(Derived(op, a, b, out), out.warmup)
    return out


def _name(symbol, a, b):
    def name(x):
        return x.name if isinstance(x, Line) else repr(x)
    return f"{symbol}({name(a)})" if symbol == "abs" else f"({name(a)} {symbol} {name(b)})"
