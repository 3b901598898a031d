"""Indicators for strategies: `ct.ind.SMA(self.data.close, 10)` in `init()`.

Each indicator is one declaration mapping it to its kernel (`cracktrader.kernels`): the batch
function computes the whole column once; in a live run the streaming state of the same kernel
extends it one bar at a time (bit-identical by the kernels' contract). An input is a line, or a
feed (its close, or its high/low/close for kernels that take those). Multi-output indicators
give a named tuple of lines in the kernel's (TA-Lib's) order.

Adding an indicator is one line: `NAME = indicator("kernel", "Stream", params=..., warmup=...)`.
"""

from array import array
from collections import namedtuple

from .feed import Feed
from .lines import Line, derive

NAN = float("nan")


def _kernels():
    from . import kernels  # imported on first use: `import cracktrader` stays light

    return kernels


class Spec:
    """What `indicator()` declares: the kernel, its streaming class, inputs, params, outputs."""

    def __init__(self, name, kernel, stream, inputs, params, outputs, warmup):
        self.name, self.kernel, self.stream = name, kernel, stream
        self.inputs, self.params, self.outputs, self.warmup = inputs, params, outputs, warmup
        self.tuple = namedtuple(name, outputs) if len(outputs) > 1 else None


class Indicator:
    """The node behind an indicator's lines: extends them with the streaming kernel."""

    __slots__ = ("spec", "inputs", "args", "outs", "state")

    def __init__(self, spec, inputs, args, outs):
        self.spec, self.inputs, self.args, self.outs, self.state = spec, inputs, args, outs, None

    def extend(self):
        if self.state is None:  # first live bar: catch a streaming state up on the history
            self.state = self._stream(len(self.outs[0].values))
        out = self.state.update(*[x.values[-1] for x in self.inputs])
        if len(self.outs) == 1:
            self.outs[0].values.append(out)
        else:
            for line, value in zip(self.outs, out):
                line.values.append(value)

    def _stream(self, bars):
        state = getattr(_kernels(), self.spec.stream)(*self.args)
        for k in range(bars):
            state.update(*[x.values[k] for x in self.inputs])
        return state

    def compute(self):
        """The output columns over the inputs' history: the batch kernel, or the streaming
        state when the history is shorter than the warm-up (all NaN, arguments still checked)."""
        spec, length = self.spec, len(self.inputs[0].values)
        if length > spec.warmup(*self.args):
            outs = getattr(_kernels(), spec.kernel)(*[x.values for x in self.inputs], *self.args)
            return [outs] if len(spec.outputs) == 1 else list(outs)
        state = self._stream(0)
        cols = [array("d") for _ in spec.outputs]
        for k in range(length):
            got = state.update(*[x.values[k] for x in self.inputs])
            for col, value in zip(cols, [got] if len(cols) == 1 else got):
                col.append(value)
        self.state = state
        return cols


def _inputs(spec, given):
    """The input lines: one line per input, or a single feed supplying them by name."""
    if len(given) == 1 and isinstance(given[0], Feed):
        feed = given[0]
        return [getattr(feed, "close" if name == "x" else name) for name in spec.inputs]
    if len(given) != len(spec.inputs) or not all(isinstance(x, Line) for x in given):
        want = ", ".join(spec.inputs)
        raise TypeError(f"{spec.name}: expected the input line(s) {want} (or a feed), got "
                        f"{', '.join(type(x).__name__ for x in given) or 'nothing'}")
    clock = given[0].clock
    if any(x.clock is not clock for x in given):
        raise ValueError(f"{spec.name}: all inputs must come from the same feed")
    return list(given)


def _build(spec, args, kwargs):
    n_lines = next((k for k, a in enumerate(args) if not isinstance(a, (Line, Feed))), len(args))
    inputs = _inputs(spec, args[:n_lines])
    values = list(args[n_lines:])
    if len(values) > len(spec.params):
        raise TypeError(f"{spec.name}: takes {len(spec.params)} parameter(s) ({', '.join(spec.params)}), got {len(values)}")
    for name in spec.params[len(values):]:
        if name not in kwargs:
            raise TypeError(f"{spec.name}: missing parameter {name!r}")
        values.append(kwargs.pop(name))
    if kwargs:
        raise TypeError(f"{spec.name}: unknown parameter(s) {', '.join(kwargs)} (takes {', '.join(spec.params)})")
    clock = inputs[0].clock
    node = Indicator(spec, inputs, tuple(values), [])
    columns = node.compute()
    warmup = max(x.warmup for x in inputs) + max(0, spec.warmup(*values))
    label = f"{spec.name}({', '.join([x.name for x in inputs] + [repr(v) for v in values])})"
    node.outs = [Line(col, clock, warmup, label if len(columns) == 1 else f"{label}.{out}")
                 for col, out in zip(columns, spec.outputs)]
    clock.add_node(node, warmup)
    return node.outs[0] if spec.tuple is None else spec.tuple(*node.outs)


def indicator(kernel, stream, inputs=("x",), params=("n",), outputs=None, warmup=None):
    """Declare an indicator: `kernel` and `stream` name the batch function and the streaming
    class in `cracktrader.kernels`; `warmup(*params)` is how many leading outputs are NaN."""
    name = kernel.upper()
    spec = Spec(name, kernel, stream, tuple(inputs), tuple(params), tuple(outputs or (kernel,)), warmup)

    def make(*args, **kwargs):
        return _build(spec, args, kwargs)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"{name}({', '.join(inputs)}, {', '.join(params)}): the `{kernel}` kernel as line(s) {', '.join(spec.outputs)}."
    make.spec = spec
    return make


def _period(n):
    return n - 1 if isinstance(n, int) else 0


SMA = indicator("sma", "Sma", warmup=_period)


class CrossNode:
    """+1 where `a` crosses above `b` at this bar, -1 where it crosses below, else 0."""

    __slots__ = ("a", "b", "out")

    def __init__(self, a, b, out):
        self.a, self.b, self.out = a, b, out

    @staticmethod
    def cross(a0, b0, a1, b1):
        if a1 <= b1 and a0 > b0:
            return 1.0
        if a1 >= b1 and a0 < b0:
            return -1.0
        return 0.0

    def extend(self):
        a, b = self.a.values, self.b.values
        self.out.values.append(self.cross(a[-1], b[-1], a[-2], b[-2]) if len(a) > 1 else 0.0)


def CrossOver(a, b):
    """+1.0 on the bar where line `a` crosses above `b` (was <=, now >), -1.0 where it crosses
    below, 0.0 otherwise (and where either is NaN)."""
    if isinstance(b, (int, float)):
        b = derive(lambda x, _: b, "const", a, 0.0)  # a constant line on a's clock
    if not isinstance(a, Line) or not isinstance(b, Line) or a.clock is not b.clock:
        raise TypeError("CrossOver: expected two lines of the same feed (or a line and a number)")
    va, vb = a.values, b.values
    col = array("d", [0.0]) if len(va) else array("d")
    col.extend(map(CrossNode.cross, va[1:], vb[1:], va, vb))
    out = Line(col, a.clock, max(a.warmup, b.warmup) + 1, f"CrossOver({a.name}, {b.name})")
    a.clock.add_node(CrossNode(a, b, out), out.warmup)
    return out


__all__ = ["CrossOver", "SMA", "indicator"]
