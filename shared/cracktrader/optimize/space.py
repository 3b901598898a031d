"""Search spaces: the values each strategy parameter may take.

    space = dict(fast=range(5, 55, 5),          # a range: those ints
                 slow=Range(20, 200, 10),       # lo..hi inclusive, by step
                 k=(0.5, 3.0),                  # a tuple (lo, hi[, step]) is a Range; without a step,
                 kind=["ema", "sma"])           #   continuous (grid needs a step); a list: the choices

The command line says the same as text: `fast=5:50:5` (inclusive), `k=0.5:3.0`, `kind=ema,sma`.
Every name must be one of the strategy's `params`; the others keep the strategy's defaults. A
strategy may declare its own `space = {...}`, used when none is given.
"""

import math
from itertools import product

from ..strategy import resolve_params

CONTINUOUS_STEPS = 10  # a continuous range counts as this many steps (plateau, heatmap bins)


class Range:
    """Values from `lo` to `hi` inclusive: every `step` apart, or any value between them (ints
    when `lo`, `hi` and `step` are ints); `log=True` samples a continuous range on a log scale."""

    def __init__(self, lo, hi, step=None, log=False):
        for name, v in (("lo", lo), ("hi", hi), ("step", step)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
                raise ValueError(f"Range {name}: expected a finite number, got {v!r}")
        if hi < lo:
            raise ValueError(f"Range: hi {hi!r} is below lo {lo!r}")
        if step is not None and step <= 0:
            raise ValueError(f"Range: step must be > 0, got {step!r}")
        if log and (lo <= 0 or step is not None):
            raise ValueError("Range: log=True needs lo > 0 and no step")
        self.lo, self.hi, self.step, self.log = lo, hi, step, log
        self.integer = all(isinstance(v, int) for v in (lo, hi, step) if v is not None)

    @property
    def values(self):
        """The discrete values (None for a continuous range)."""
        if self.step is None:
            return list(range(self.lo, self.hi + 1)) if self.integer and self.hi - self.lo < 10_000 else None
        count = int(math.floor((self.hi - self.lo) / self.step + 1e-9)) + 1
        if self.integer:
            return list(range(self.lo, self.hi + 1, self.step))
        return [_tidy(self.lo + k * self.step) for k in range(count)]

    def __repr__(self):
        return f"Range({self.lo!r}, {self.hi!r}{f', {self.step!r}' if self.step is not None else ''}{', log=True' if self.log else ''})"


class Choice:
    """One of the listed values (any type; ordered as listed)."""

    def __init__(self, values):
        self.values = list(values)
        if not self.values:
            raise ValueError("Choice: no values")

    def __repr__(self):
        return f"Choice({self.values!r})"


def _tidy(x):
    """lo + k*step without the float noise (0.30000000000000004 -> 0.3)."""
    return float(f"{x:.12g}")


def dimension(value):
    """A Range or Choice from what a user may write in a space."""
    if isinstance(value, (Range, Choice)):
        return value
    if isinstance(value, range):
        if not len(value):
            raise ValueError(f"{value!r} is empty")
        return Choice(list(value))
    if isinstance(value, tuple) and len(value) in (2, 3):
        return Range(*value)
    if isinstance(value, (list, set, frozenset)):
        return Choice(sorted(value) if isinstance(value, (set, frozenset)) else value)
    raise TypeError(f"expected a range, a list of values, a (lo, hi[, step]) tuple, Range or Choice, got {value!r}")


class Space:
    """The named dimensions of a search, checked against the strategy's params."""

    def __init__(self, strategy, space):
        if space is None:
            space = getattr(strategy, "space", None)
        if not space:
            raise ValueError(f"empty search space: give space={{name: values}} (parameters of {strategy.__name__}: "
                             f"{', '.join(getattr(strategy, 'params', None) or {}) or 'none'})")
        self.dims = {}
        for name, value in space.items():
            try:
                self.dims[name] = dimension(value)
            except (TypeError, ValueError) as e:
                raise ValueError(f"space {name}: {e}") from None
        resolve_params(strategy, {name: None for name in self.dims})  # a name the strategy lacks: its error
        self.defaults = dict(getattr(strategy, "params", None) or {})

    @property
    def names(self):
        return list(self.dims)

    def discrete(self):
        """True when every dimension has a finite list of values (grid-able)."""
        return all(d.values is not None for d in self.dims.values())

    def grid(self):
        """Every point of the grid, in order (the last parameter varies fastest)."""
        missing = [n for n, d in self.dims.items() if d.values is None]
        if missing:
            raise ValueError(f"grid search needs values or a step for {', '.join(missing)} (e.g. {missing[0]}=lo:hi:step)")
        names = self.names
        return [dict(zip(names, combo)) for combo in product(*(d.values for d in self.dims.values()))]

    def size(self):
        return math.prod(len(d.values) for d in self.dims.values()) if self.discrete() else math.inf

    def coords(self, params):
        """The point's position in steps along each dimension (for neighbours and heatmaps)."""
        return tuple(_coord(self.dims[n], params[n]) for n in self.names)

    def describe(self):
        return {n: repr(d) for n, d in self.dims.items()}


def _coord(dim, value):
    values = dim.values
    if values is not None:
        try:
            return float(values.index(value))
        except ValueError:
            pass
    if isinstance(dim, Range) and dim.hi > dim.lo:
        if dim.log:
            return CONTINUOUS_STEPS * math.log(value / dim.lo) / math.log(dim.hi / dim.lo)
        return CONTINUOUS_STEPS * (value - dim.lo) / (dim.hi - dim.lo) if dim.step is None else (value - dim.lo) / dim.step
    return 0.0


def parse(text, defaults):
    """(name, dimension) from command-line text: `fast=5:50:5`, `k=0.5:3.0`, `kind=ema,sma`;
    values read with the type of the strategy's default for that parameter."""
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep or not name or not spec.strip():
        raise ValueError(f"--space {text!r}: expected NAME=LO:HI[:STEP] or NAME=A,B,C")
    if name not in defaults:
        raise ValueError(f"--space {name}: the strategy has no parameter {name!r} (its parameters: {', '.join(defaults) or 'none'})")
    default = defaults[name]
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise ValueError(f"--space {text!r}: expected LO:HI or LO:HI:STEP")
        numbers = [_number(name, p, default) for p in parts]
        try:
            return name, Range(*numbers)
        except ValueError as e:
            raise ValueError(f"--space {name}: {e}") from None
    return name, Choice([_value(name, p.strip(), default) for p in spec.split(",")])


def _number(name, text, default):
    value = _value(name, text.strip(), default if isinstance(default, (int, float)) and not isinstance(default, bool) else 0.0)
    if isinstance(value, str):
        raise ValueError(f"--space {name}: {text!r} is not a number")
    return value


def _value(name, text, default):
    if isinstance(default, bool):
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"--space {name}: cannot read {text!r} as bool")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            pass  # 0.5 for an int default: keep it a float, the strategy decides
    if isinstance(default, (int, float)):
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"--space {name}: cannot read {text!r} as a number") from None
    return text
