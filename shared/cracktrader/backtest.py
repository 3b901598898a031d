"""`ct.backtest(...)`: a strategy over whole data, to a Result — on the event engine, or on the
vectorized kernel for a strategy declared as signals that qualifies (docs/vectorized.md), with
the same Result either way; `result.engine` says which ran."""

from .data.errors import DataError
from .engine import Engine, as_candles

ENGINES = ("auto", "event", "vectorized")


def backtest(strategy, data, *, engine="auto", progress=None, **options):
    """Run `strategy` (a ct.Strategy subclass) over `data` (Candles, a path or dataset id, or a
    list of them for several feeds) and return the Result. Options: cash, commission, slippage,
    params, fill ("open"/"close"), intrabar ("adverse"/"favorable"/"nearest"), intrabar_data,
    leverage, sizing (units or "N%"), market_rules, volume_limit (share of each bar's volume an order
    may fill per bar; the rest keeps working), start (UTC ms: trade and report from there; the bars
    before it only warm indicators up).

    `engine`: "auto" (default) runs a ct.vectorized.SignalStrategy on the vectorized kernel when
    it qualifies and anything else on the event engine; "event" always the event engine;
    "vectorized" the kernel, or a ValueError saying why it cannot. `result.engine` says which
    ran, `result.engine_reason` why not the kernel."""
    return run_engine(strategy, data, engine=engine, progress=progress, **options).result()


def run_engine(strategy, data, *, engine="auto", progress=None, chunk=65_536, **options):
    """Like `backtest`, but returns the Engine after the run (its strategy, feeds, result())."""
    reason = why_event(engine, strategy, data, options)
    prepared = prepare(strategy, data, **options)
    if reason is None:
        from .vectorized.run import run

        prepared.outcome = run(prepared)
        if progress:
            progress(len(prepared.times), len(prepared.times))
        return prepared
    prepared.engine_reason = reason
    return prepared.run(progress, chunk).finish()


def why_event(engine, strategy, data, options):
    """Why the event engine runs this backtest, or None when the vectorized kernel does."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "event":
        return "engine='event' asks for the event engine"
    from .vectorized.plan import why_not

    reason = why_not(strategy, data, options)
    if reason and engine == "vectorized":
        raise ValueError(f"engine='vectorized': {reason}")
    return reason


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
