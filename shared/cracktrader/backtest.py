"""`ct.backtest(...)`: a strategy over whole data, to a Result."""

from .data.errors import DataError
from .engine import Engine, as_candles


def backtest(strategy, data, *, progress=None, **options):
    """Run `strategy` (a ct.Strategy subclass) over `data` (Candles, a path or dataset id, or a
    list of them for several feeds) and return the Result. Options: cash, commission, slippage,
    params, fill ("open"/"close"), intrabar ("adverse"/"favorable"/"nearest"), intrabar_data,
    leverage, sizing (units or "N%"), market_rules, volume_limit (share of each bar's volume an order
    may fill per bar; the rest keeps working), start (UTC ms: trade and report from there; the bars
    before it only warm indicators up)."""
    return run_engine(strategy, data, progress=progress, **options).result()


def run_engine(strategy, data, *, progress=None, chunk=65_536, **options):
    """Like `backtest`, but returns the Engine after the run (its strategy, feeds, result())."""
    return prepare(strategy, data, **options).run(progress, chunk)


def prepare(strategy, data, **options):
    """The Engine of a backtest before it runs (its strategy's init() done), checked: every
    feed has bars and next() will run."""
    engine = Engine(strategy, as_candles(data), **options)
    for feed in engine.feeds:
        if not len(feed.time.values):
            raise DataError(feed.name, None, None, "empty", "no candles")
    if engine.begin() == len(engine.times):
        raise ValueError(f"start {engine.start}: no bar at or after it (the last bar opens at {engine.times[-1]})")
    if engine.first_next() == len(engine.times):
        short = [f"{f.name} needs {n + 1} bars, has {len(f.time.values)}" for f, n in zip(engine.feeds, engine.required)
                 if n + 1 > len(f.time.values)]
        raise ValueError("not enough data for the strategy's indicators: next() would never run ("
                         + ("; ".join(short) or "the feeds never all have enough bars at once") + ")")
    return engine
