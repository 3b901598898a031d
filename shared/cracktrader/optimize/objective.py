"""What a search maximizes (or minimizes): a statistic's name, or a function of the Result; several
of them for a Pareto front.

    objective="sharpe"                     # maximize the Sharpe ratio
    objective="-max_drawdown"              # minimize ("min:max_drawdown" says the same)
    objective=lambda result: ...           # any number from the Result, maximized
    objective=["sharpe", "-max_drawdown"]  # both: the Pareto front of the trials

Statistics that are costs (drawdown, volatility, fees, drawdown duration) are minimized even
without the sign. A trial whose objective is undefined (None, NaN) is recorded, never best.
"""

import math

MINIMIZED = {"max_drawdown", "max_drawdown_duration_ms", "max_drawdown_duration_bars", "volatility", "fees"}


class Term:
    """One objective: `name` and a way to read it; `sign` +1 maximizes, -1 minimizes."""

    def __init__(self, spec):
        self.fn = None
        if callable(spec):
            self.fn, self.name, self.sign = spec, getattr(spec, "__name__", "objective"), 1
            return
        if not isinstance(spec, str) or not spec.strip():
            raise TypeError(f"objective: expected a statistic's name or a function of the Result, got {spec!r}")
        text = spec.strip()
        sign = None
        for prefix, s in (("-", -1), ("+", 1), ("min:", -1), ("max:", 1)):
            if text.startswith(prefix):
                text, sign = text[len(prefix):].strip(), s
                break
        self.name = text
        self.sign = sign if sign is not None else (-1 if text in MINIMIZED else 1)

    @property
    def direction(self):
        return "maximize" if self.sign > 0 else "minimize"

    def read(self, result, stats):
        """The objective's value for a run (None when undefined)."""
        if self.fn is not None:
            value = self.fn(result)
        else:
            if self.name not in stats:
                known = ", ".join(k for k, v in stats.items() if isinstance(v, (int, float)) or v is None)
                raise ValueError(f"objective {self.name!r} is not a statistic (known: {known})")
            value = stats[self.name]
        if value is None or isinstance(value, bool):
            return None
        value = float(value)
        return value if math.isfinite(value) else None

    def __repr__(self):
        return ("" if self.fn is None else "fn:") + ("-" if self.sign < 0 else "") + self.name


class Objective:
    """The terms of a search and how trials compare."""

    def __init__(self, spec):
        specs = list(spec) if isinstance(spec, (list, tuple)) else [spec]
        if not specs:
            raise ValueError("objective: none given")
        self.terms = [Term(s) for s in specs]

    @property
    def multi(self):
        return len(self.terms) > 1

    @property
    def names(self):
        return [t.name for t in self.terms]

    @property
    def directions(self):
        return [t.direction for t in self.terms]

    def values(self, result, stats):
        return [t.read(result, stats) for t in self.terms]

    def score(self, values):
        """Larger is better (single objective): the value with its sign; None when undefined."""
        v = values[0] if values else None
        return None if v is None else v * self.terms[0].sign

    def pareto(self, records):
        """The indexes of the trials no other trial beats on every term (ties kept), in order."""
        ok = [(k, [v * t.sign for v, t in zip(r["objective"], self.terms)]) for k, r in enumerate(records)
              if r["status"] == "ok"]
        front = []
        for k, a in ok:
            dominated = any(all(x >= y for x, y in zip(b, a)) and any(x > y for x, y in zip(b, a)) for _, b in ok)
            if not dominated:
                front.append(k)
        return front

    def describe(self):
        return [repr(t) for t in self.terms]
