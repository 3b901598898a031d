"""Running a strategy given as source text: the one path the browser's worker and the host's
`POST /api/backtests` share, so the same source, data and settings give the same result in
both places.

Errors become a small description (`describe_error`) a page can show: the message, and where
it points — the strategy's line, or the data's row, field and rule.
"""

from .backtest import run_engine
from .data.errors import DataError
from .lines import Line
from .strategy import StrategyError, strategies_from_source

FILENAME = "strategy.py"
SETTINGS = ("cash", "commission", "slippage", "fill", "intrabar", "leverage", "sizing", "volume_limit", "engine")
# Indicators drawn over the candles (same scale as prices); the others get their own pane.
PRICE_OVERLAYS = {"SMA", "EMA", "WMA", "DEMA", "TEMA", "TRIMA", "KAMA", "SMMA", "BBANDS", "DONCHIAN",
                  "KELTNER", "SAR", "VWAP", "MAX", "MIN"}


def inspect_source(source):
    """The strategies `source` defines: [{"name", "params"}] (params: the class defaults)."""
    return [{"name": name, "params": dict(getattr(cls, "params", None) or {})}
            for name, cls in strategies_from_source(source, FILENAME).items()]


def run_source(source, data, *, strategy=None, params=None, settings=None, progress=None, chunk=65_536):
    """Run the strategy class `strategy` (or the only one) from `source` over `data` (Candles,
    or a list of them); returns the Engine after the run (`.result()`, `.strategy`)."""
    settings = dict(settings or {})
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(unknown)} (known: {', '.join(SETTINGS)})")
    found = strategies_from_source(source, FILENAME)
    if strategy is None and len(found) == 1:
        strategy = next(iter(found))
    if strategy not in found:
        names = ", ".join(found) or "none"
        raise ValueError(f"{FILENAME}: no Strategy class {strategy!r} to run (found: {names})" if strategy
                         else f"{FILENAME} defines {len(found)} Strategy classes ({names}): choose one")
    return run_engine(found[strategy], data, params=params, progress=progress, chunk=chunk, **settings)


def overlays(engine):
    """The indicator lines the strategy kept on itself, for drawing: [(label, pane, values)]
    with pane "price" (drawn over the candles) or "own"."""
    out, seen = [], set()

    def add(line):
        name = line.name.split("(", 1)[0]
        if id(line) in seen or not name.isupper() or "(" not in line.name:
            return  # a price column or a derived line (a - b, a > b), not an indicator
        seen.add(id(line))
        out.append((line.name, "price" if name in PRICE_OVERLAYS else "own", line.values))

    for value in vars(engine.strategy).values():
        if isinstance(value, Line):
            add(value)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, Line):
                    add(item)
    return out


def describe_error(error):
    """What went wrong, for a page: {"kind", "message", and "line" or "row"/"field"/"rule"}."""
    if isinstance(error, StrategyError):
        original = error.error
        text = original.msg if isinstance(original, SyntaxError) else str(original)
        return {"kind": "strategy", "message": f"{type(original).__name__}: {text}", "line": error.line,
                "file": error.file}
    if isinstance(error, DataError):
        return {"kind": "data", "message": str(error), "row": error.row, "field": error.field, "rule": error.rule}
    if isinstance(error, (ValueError, TypeError)):
        return {"kind": "settings", "message": str(error)}
    return {"kind": "internal", "message": f"{type(error).__name__}: {error}"}
