"""Setting a search up from the user's arguments (checked, with errors that name the problem) and
wrapping up its records: shared by `optimize` and each fold of `walk_forward`."""

import hashlib
from pathlib import Path

from ..engine import as_candles
from ..strategy import Strategy
from .journal import Journal
from .methods import method_for
from .objective import Objective
from .result import OptimizeResult
from .space import Space
from .trial import Job

STUDY = "study.db"


def check_strategy(strategy):
    if not (isinstance(strategy, type) and issubclass(strategy, Strategy)):
        raise TypeError(f"strategy: expected a ct.Strategy subclass, got {strategy!r}")
    return strategy


def make_job(strategy, data, space, *, objective, min_trades, blocks, params, settings):
    """(Job, Space) from the arguments, every name checked against the strategy."""
    strategy = check_strategy(strategy)
    space = space if isinstance(space, Space) else Space(strategy, space)
    fixed = dict(params or {})
    both = sorted(set(fixed) & set(space.names))
    if both:
        raise ValueError(f"{', '.join(both)}: both searched (space) and fixed (params)")
    from ..strategy import resolve_params

    resolve_params(strategy, fixed)  # unknown names: the strategy's own error
    candles = as_candles(data)
    job = Job(strategy, candles, settings, Objective(objective), min_trades, blocks, fixed=fixed)
    return job, space


def prepare(strategy, data, space, *, objective, method, constraint, max_trials, min_trades, seed, batch, blocks,
            out, params, settings):
    job, space = make_job(strategy, data, space, objective=objective, min_trades=min_trades, blocks=blocks,
                          params=params, settings=settings)
    journal = None
    if out is not None:
        journal = Journal(out, identity(job, space, method, seed, batch))
    method_ = method_for(method, space, max_trials=max_trials, seed=seed, constraint=constraint, batch=batch,
                         storage=None if out is None else Path(out) / STUDY, directions=job.objective.directions,
                         done=journal.done if journal else None)
    return job, space, method_, journal


def finish(job, space, method, records, interrupted, runner, out):
    result = OptimizeResult(job, space, method, records, interrupted=interrupted, executor=runner.name)
    if out is not None:
        result.write(out)
    return result


def identity(job, space, method, seed, batch, window=None):
    """What makes two searches the same one (a resumed search must be)."""
    strategy = job.strategy
    source = vars(strategy).get("__cracktrader_source__")
    code = hashlib.sha256(source[0].encode()).hexdigest()[:16] if source else f"{strategy.__module__}.{strategy.__qualname__}"
    return {"strategy": f"{strategy.__name__} {code}", "data": [fingerprint(c) for c in job.candles()],
            "space": space.describe(), "objective": job.objective.describe(), "method": method, "seed": seed,
            "batch": batch if method in ("tpe", "cmaes") else None, "settings": {k: repr(v) for k, v in sorted(job.settings.items())},
            "params": job.fixed, "min_trades": job.min_trades, "blocks": job.blocks, "window": window}


def fingerprint(candles):
    digest = hashlib.sha256()
    for col in candles.columns().values():
        digest.update(memoryview(col).cast("B") if isinstance(col, memoryview) else bytes(col))
    n = len(candles)
    return f"{candles.symbol} {candles.timeframe} {n} bars {candles.time[0] if n else ''}..{candles.time[-1] if n else ''} {digest.hexdigest()[:16]}"
