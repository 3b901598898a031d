"""Running a strategy given as source text: the one path the browser's worker and the host's
`POST /api/backtests` share, so the same source, data and settings give the same result in
both places.

A run on a date range starts trading at the range's first bar: its indicators are computed
from history before it, as many bars as the strategy's warm-up needs (`warmup_bars`), passed as
`history` (`run_view` takes them from loaded candles; the host reads them from its cache).

Errors become a small description (`describe_error`) a page can show: the message, and where
it points — the strategy's line (with its frames and the bar it failed on), or the data's row,
field and rule.
"""

from .backtest import run_engine
from .candles import Candles, to_array
from .data import select
from .data.errors import DataError
from .engine import Engine, as_candles
from .lines import Line
from .strategy import StrategyError, strategies_from_source

FILENAME = "strategy.py"
# The settings a run takes as JSON. market_rules: a saved market's id or {"market", "precision_mode"}
# (cracktrader.markets); intrabar_data: true to replay bars over those they were aggregated from;
# engine: ct.backtest's ("auto", "event" or "vectorized").
SETTINGS = ("cash", "commission", "slippage", "fill", "intrabar", "leverage", "sizing", "volume_limit", "market_rules",
            "intrabar_data", "engine")
VIEW = ("since", "until", "timeframe")
# Indicators drawn over the candles (same scale as prices); the others get their own pane.
PRICE_OVERLAYS = {"SMA", "EMA", "WMA", "DEMA", "TEMA", "TRIMA", "KAMA", "SMMA", "BBANDS", "DONCHIAN",
                  "KELTNER", "SAR", "VWAP", "MAX", "MIN"}


def inspect_source(source):
    """The strategies `source` defines: [{"name", "params"}] (params: the class defaults)."""
    return [{"name": name, "params": dict(getattr(cls, "params", None) or {})}
            for name, cls in strategies_from_source(source, FILENAME).items()]


def run_source(source, data, *, strategy=None, params=None, settings=None, progress=None, chunk=65_536,
               history=None, intrabar_data=None):
    """Run the strategy class `strategy` (or the only one) from `source` over `data` (Candles,
    or a list of them); returns the Engine after the run (`.result()`, `.strategy`).

    `history`: the candles before `data` (per feed for several): the run computes its
    indicators from their last `warmup_bars` bars too, and starts at `data`'s first bar.
    `intrabar_data`: the candles `data` was aggregated from, for `settings["intrabar_data"]`."""
    cls = _strategy(source, strategy)
    options = _options(settings, intrabar_data)
    feeds = as_candles(data)
    if history is not None:
        past = history if isinstance(history, (list, tuple)) else [history]
        if len(past) != len(feeds):
            raise ValueError(f"history: {len(past)} feed(s) for {len(feeds)}")
        need = Engine(cls, feeds, params=params, **options).required
        feeds = [_join(h, c, n) for h, c, n in zip(past, feeds, need)]
        options["start"] = min(c.time[0] for c in as_candles(data) if len(c))
    return run_engine(cls, feeds if len(feeds) > 1 else feeds[0], params=params, progress=progress, chunk=chunk,
                      **options)


def warmup_bars(source, data, *, strategy=None, params=None, settings=None):
    """The bars of history each feed of `data` needs before its first bar so that the strategy
    trades from there: the warm-up of the indicators it builds in init()."""
    settings = {k: v for k, v in (settings or {}).items() if k != "intrabar_data"}  # no bearing on the warm-up
    return Engine(_strategy(source, strategy), as_candles(data), params=params, **_options(settings, None)).required


def run_view(source, candles, view=None, *, settings=None, **options):
    """Run over the part of loaded `candles` that `view` ({"since", "until", "timeframe"}, each
    optional) selects, with history from before `since` for the warm-up, and the candles
    themselves as intrabar data when the settings ask for it."""
    view = check_view(view)
    since, until, timeframe = view.get("since"), view.get("until"), view.get("timeframe")
    data = select(candles, since=since, until=until, timeframe=timeframe)
    if not len(data):
        raise empty_range(view, *(candles.time[0], candles.time[-1]) if len(candles) else (None, None),
                          candles.symbol or "data")
    history = select(candles, until=since, timeframe=timeframe) if since is not None else None
    aggregated = timeframe and timeframe != candles.timeframe
    raw = select(candles, until=until) if aggregated and (settings or {}).get("intrabar_data") else None
    return run_source(source, data, settings=settings, history=history, intrabar_data=raw, **options)


def check_view(view):
    """The view as a dict of known keys ({"since", "until", "timeframe"}), checked."""
    view = {k: v for k, v in (view or {}).items() if v is not None}
    unknown = sorted(set(view) - set(VIEW))
    if unknown:
        raise ValueError(f"unknown data option(s): {', '.join(unknown)}")
    if "since" in view and "until" in view and view["since"] >= view["until"]:
        raise DataError("range", None, "since", "empty_range", "since (From) must be before until (To)")
    return view


def empty_range(view, first, last, name="data"):
    """The error for a range with no candles, naming the data's span (`first`, `last`: its
    first and last bar's times, None when it has none) in UTC days."""
    from time import gmtime, strftime

    def day(ms):
        return strftime("%Y-%m-%d", gmtime(ms // 1000))

    span = f"{day(first)} to {day(last)}" if first is not None else "nothing"
    since = day(view["since"]) if "since" in view else "the start"
    until = day(view["until"] - 1) if "until" in view else "the end"
    return DataError(name, None, "since", "empty_range", f"no candles from {since} to {until}: the data spans {span}")


def history_before(read, since, bars, timeframe, first):
    """The last `bars` candles before `since` at `timeframe`, aggregated from what
    `read(since, until)` returns (raw candles, UTC ms), reading further back (doubling) until
    there are enough or the data's `first` bar is reached."""
    from .candles import timeframe_ms

    window = (bars + 1) * timeframe_ms(timeframe)
    while True:
        got = select(read(since - window, since), timeframe=timeframe)
        if len(got) >= bars or since - window <= first:
            return got.slice(max(0, len(got) - bars))
        window *= 2


def _strategy(source, strategy):
    found = strategies_from_source(source, FILENAME)
    if strategy is None and len(found) == 1:
        strategy = next(iter(found))
    if strategy not in found:
        names = ", ".join(found) or "none"
        raise ValueError(f"{FILENAME}: no Strategy class {strategy!r} to run (found: {names})" if strategy
                         else f"{FILENAME} defines {len(found)} Strategy classes ({names}): choose one")
    return found[strategy]


def _options(settings, intrabar_data):
    """Engine options from JSON settings: saved market rules resolved, intrabar data given."""
    options = dict(settings or {})
    unknown = sorted(set(options) - set(SETTINGS))
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(unknown)} (known: {', '.join(SETTINGS)})")
    if options.get("market_rules") is not None:
        from . import markets

        options["market_rules"] = markets.rules(options["market_rules"])
    if options.pop("intrabar_data", None):
        if intrabar_data is None:
            raise ValueError("intrabar_data: these bars were not aggregated from finer ones (choose a longer timeframe "
                             "than the data's to replay each bar over the data's own)")
        options["intrabar_data"] = intrabar_data
    return options


def _join(history, data, bars):
    """The last `bars` candles of `history` that come before `data`, then `data`."""
    from bisect import bisect_left

    end = bisect_left(history.time, data.time[0]) if len(data) else len(history)
    past = history.slice(max(0, end - bars), end)
    if not len(past):
        return data
    cols = {}
    for name, col in data.columns().items():
        joined = to_array(getattr(past, name), "q" if name == "time" else "d")
        joined.extend(to_array(col, joined.typecode))
        cols[name] = joined
    return Candles(**cols, symbol=data.symbol, timeframe=data.timeframe, exchange=data.exchange, meta=dict(data.meta))


def overlays(engine):
    """The indicator lines the strategy kept on itself, for drawing: [(label, pane, values)]
    with pane "price" (drawn over the candles) or "own"; values from the run's start (without
    the warm-up history)."""
    out, seen = [], set()
    first = engine.begin() if engine.cursors is None else 0

    def add(line):
        name = line.name.split("(", 1)[0]
        if id(line) in seen or not name.isupper() or "(" not in line.name:
            return  # a price column or a derived line (a - b, a > b), not an indicator
        seen.add(id(line))
        out.append((line.name, "price" if name in PRICE_OVERLAYS else "own", line.values[first:] if first else line.values))

    for value in vars(engine.strategy).values():
        if isinstance(value, Line):
            add(value)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, Line):
                    add(item)
    return out


def chart_overlays(engine):
    """The overlays as JSON: [{"name", "pane", "values"}] (null where an indicator has no value)."""
    import math

    return [{"name": name, "pane": pane, "values": [v if math.isfinite(v) else None for v in values]}
            for name, pane, values in overlays(engine)]


def describe_error(error):
    """What went wrong, for a page: {"kind", "message", and "line" or "row"/"field"/"rule"};
    a strategy's error while running also has "traceback" (its own frames: [{"line",
    "function", "code"}], outermost first), "bar" and "time" (the bar it failed on)."""
    if isinstance(error, StrategyError):
        original = error.error
        text = original.msg if isinstance(original, SyntaxError) else str(original)
        out = {"kind": "strategy", "message": f"{type(original).__name__}: {text}", "line": error.line,
               "file": error.file}
        if error.frames:
            out["traceback"] = [{"line": line, "function": fn, "code": code} for line, fn, code in error.frames]
        if error.bar is not None:
            out["bar"], out["time"] = error.bar, error.time
        if error.log:
            out["log"] = error.log
        return out
    if isinstance(error, DataError):
        return {"kind": "data", "message": str(error), "row": error.row, "field": error.field, "rule": error.rule}
    if isinstance(error, (ValueError, TypeError)):
        return {"kind": "settings", "message": str(error)}
    return {"kind": "internal", "message": f"{type(error).__name__}: {error}"}
