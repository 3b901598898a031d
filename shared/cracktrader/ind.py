"""Indicators for strategies: `ct.ind.SMA(self.data.close, 10)` in `init()`.

Every indicator of the kernels' catalog (`cracktrader.kernels.catalog`) is declared here under
its TA-Lib name, with the catalog's inputs and outputs: `SMA` is the `sma` kernel. Parameters,
their order and defaults are the kernel's own (TA-Lib's names and defaults). The batch function
computes the whole column once; in a live run the kernel's streaming state extends it one bar at
a time (bit-identical by the kernels' contract). An input is a line, or a feed (its close, or
the columns the kernel names: high, low, close, volume). Multi-output indicators give a named
tuple of lines in TA-Lib's order.

An indicator's warm-up — the bars before all its outputs have a value — is measured once per
parameter set by feeding its streaming state a clean probe series: exactly the kernel's, with
no formula to keep in step.
"""

import inspect
import threading
from array import array
from collections import namedtuple

from .feed import Feed
from .lines import Line, derive

PROBE_LIMIT = 100_000  # longest warm-up measured; longer ones count as this

# A sweep's workers run many backtests on the same data: they install here a memo of kernel
# results (cracktrader.optimize.memo), called as memo(node, compute) instead of compute().
# Per thread: a thread pool runs trials of several searches (each with its own memo) at once.
hooks = threading.local()


def _kernels():
    from . import kernels  # imported on first use: `import cracktrader` stays light

    return kernels


def _probe(name, k):
    """A clean, varying input value for the warm-up probe (high > close > low, volume > 0)."""
    x = 100.0 + (k * 37 % 23) * 0.5
    return {"high": x + 1.5, "low": x - 1.5, "volume": 1000.0 + k % 7, "b": x + (k * 13 % 5) - 2.0}.get(name, x)


def _values(out):
    return out if isinstance(out, (tuple, list)) else (out,)


class Spec:
    """What `indicator()` declares: the kernel, its streaming class, inputs and outputs."""

    def __init__(self, name, kernel, stream, inputs, outputs):
        self.name, self.kernel, self.stream, self.inputs, self.outputs = name, kernel, stream, inputs, outputs
        self.tuple = namedtuple(name, outputs) if len(outputs) > 1 else None
        self.warmups = {}

    def bind(self, values, kwargs):
        """The kernel's parameters from a call's positional and keyword values, defaults filled."""
        sig = inspect.signature(getattr(_kernels(), self.kernel))
        params = list(sig.parameters.values())[len(self.inputs):]
        try:
            bound = sig.replace(parameters=params).bind(*values, **kwargs)
        except TypeError as e:
            names = ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in params)
            raise TypeError(f"{self.name}: {e} (parameters: {names})") from None
        bound.apply_defaults()
        return tuple(bound.arguments.values())

    def state(self, args):
        return getattr(_kernels(), self.stream)(*args)

    def warmup(self, args):
        """Leading bars whose outputs are not all values, on clean data."""
        if args not in self.warmups:
            state, k = self.state(args), 0
            while k < PROBE_LIMIT:
                out = _values(state.update(*[_probe(name, k) for name in self.inputs]))
                if all(v == v for v in out):
                    break
                k += 1
            self.warmups[args] = k
        return self.warmups[args]


class Indicator:
    """The node behind an indicator's lines: computes them, and extends them live."""

    __slots__ = ("spec", "inputs", "args", "outs", "state")

    def __init__(self, spec, inputs, args):
        self.spec, self.inputs, self.args, self.outs, self.state = spec, inputs, args, [], None

    def extend(self):
        if self.state is None:  # first live bar: catch a streaming state up on the history
            self.state = self._replay(len(self.outs[0].values))[0]
        values = _values(self.state.update(*[x.values[-1] for x in self.inputs]))
        for line, value in zip(self.outs, values):
            line.values.append(value)

    def trim(self, n):
        """Drop the oldest `n` values (a live run's window): the streaming state goes on."""
        if self.state is None:  # (it needs the whole history to catch up)
            self.state = self._replay(len(self.outs[0].values))[0]
        for line in self.outs:
            del line.values[:n]

    def _replay(self, bars):
        state = self.spec.state(self.args)
        cols = [array("d") for _ in self.spec.outputs]
        for k in range(bars):
            for col, value in zip(cols, _values(state.update(*[x.values[k] for x in self.inputs]))):
                col.append(value)
        return state, cols

    def _batch(self):
        return getattr(_kernels(), self.spec.kernel)(*[x.values for x in self.inputs], *self.args)

    def compute(self):
        """The output columns over the inputs' history: the batch kernel, or the streaming
        state when the history is too short for the batch kernel (all NaN then)."""
        spec, length = self.spec, len(self.inputs[0].values)
        if length > spec.warmup(self.args):
            memo = getattr(hooks, "memo", None)
            outs = self._batch() if memo is None else memo(self, self._batch)
            return [outs] if len(spec.outputs) == 1 else list(outs)
        self.state, cols = self._replay(length)
        return cols


def _inputs(spec, given):
    """The input lines: one line per input, or a single feed supplying them by name."""
    if len(given) == 1 and isinstance(given[0], Feed):
        feed = given[0]
        return [getattr(feed, name if name in ("open", "high", "low", "close", "volume") else "close")
                for name in spec.inputs]
    if len(given) != len(spec.inputs) or not all(isinstance(x, Line) for x in given):
        raise TypeError(f"{spec.name}: expected the input line(s) {', '.join(spec.inputs)} (or a feed), got "
                        f"{', '.join(type(x).__name__ for x in given) or 'nothing'}")
    clock = given[0].clock
    if any(x.clock is not clock for x in given):
        raise ValueError(f"{spec.name}: all inputs must come from the same feed")
    return list(given)


def _build(spec, args, kwargs):
    n_lines = next((k for k, a in enumerate(args) if not isinstance(a, (Line, Feed))), len(args))
    inputs = _inputs(spec, args[:n_lines])
    params = spec.bind(args[n_lines:], kwargs)
    node = Indicator(spec, inputs, params)
    columns = node.compute()
    clock = inputs[0].clock
    warmup = max(x.warmup for x in inputs) + spec.warmup(params)
    label = f"{spec.name}({', '.join([x.name for x in inputs] + [repr(v) for v in params])})"
    node.outs = [Line(col, clock, warmup, label if len(columns) == 1 else f"{label}.{out}")
                 for col, out in zip(columns, spec.outputs)]
    clock.add_node(node, warmup)
    return node.outs[0] if spec.tuple is None else spec.tuple(*node.outs)


def indicator(kernel, inputs=("x",), outputs=None, stream=None):
    """Declare an indicator over kernel `kernel` (its streaming class: `stream`, by default the
    name in CamelCase) with input columns `inputs` and output names `outputs`."""
    name = kernel.upper()
    stream = stream or "".join(part.capitalize() for part in kernel.split("_"))
    spec = Spec(name, kernel, stream, tuple(inputs), tuple(outputs or (kernel,)))

    def make(*args, **kwargs):
        return _build(spec, args, kwargs)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = (f"{name}({', '.join(inputs)}, *params): the `{kernel}` kernel (parameters and defaults as "
                    f"cracktrader.kernels.{kernel}) as line(s) {', '.join(spec.outputs)}.")
    make.spec = spec
    return make


_DECLARED = {}  # name -> declaration, filled on first use


def _declarations():
    """`SMA`, `MACD`, ...: one declaration per indicator of the kernels' catalog, under its
    TA-Lib name, made on first use (the catalog comes with the compiled kernels, which
    `import cracktrader` does not load)."""
    if not _DECLARED:
        from .kernels.catalog import CATALOG

        _DECLARED.update((sig.name.upper(), indicator(sig.name, sig.inputs, sig.outputs, sig.stream))
                         for sig in CATALOG)
        globals().update(_DECLARED, __all__=[*_DECLARED, "CrossOver", "indicator"])
    return _DECLARED


def __getattr__(name):
    if name == "__all__" or name.isupper():
        _declarations()
        if name in globals():
            return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_declarations()})


def CrossOver(a, b):
    """backtrader's CrossOver: +1.0 on the bar where line `a` crosses above `b` (was <=, now
    >), -1.0 where it crosses below, 0.0 otherwise; `b` may be a number."""
    if isinstance(b, (int, float)) and not isinstance(b, bool) and isinstance(a, Line):
        level = float(b)
        b = derive(lambda _, __: level, "const", a, 0.0)  # the number as a line on a's clock
    made = _declarations()
    return made["CROSSOVER"](a, b) - made["CROSSUNDER"](a, b)
