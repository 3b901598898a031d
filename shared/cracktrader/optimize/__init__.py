"""Parameter search, walk-forward and the overfitting report.

    result = ct.optimize(SmaCross, data, space=dict(fast=range(5, 55, 5), slow=range(20, 210, 10)),
                         objective="sharpe", method="grid", constraint=lambda p: p["fast"] < p["slow"])
    result.best_params, result.table(), result.overfitting, result.write("out/")

    wf = ct.walk_forward(SmaCross, data, space=..., train="180d", test="30d")

Trials run on all cores by default (`jobs=`), on a Dask cluster (`executor=distributed.Client(...)`)
or any concurrent.futures.Executor; each trial is a pure function of (strategy, data, params,
settings), so every executor gives the same table. See docs/optimize.md.

`cracktrader.optimize` is also callable: `ct.optimize(...)` is `cracktrader.optimize.optimize(...)`.
"""

import sys
import types

from .objective import Objective
from .result import OptimizeResult
from .space import Choice, Range, Space

__all__ = ["Choice", "Objective", "OptimizeResult", "Range", "Space", "optimize", "walk_forward"]


def optimize(strategy, data, space=None, *, objective="sharpe", method="grid", constraint=None, max_trials=None,
             min_trades=1, executor=None, jobs=None, seed=0, batch=8, blocks=16, out=None, progress=None,
             params=None, **settings):
    """Search `strategy`'s parameters over `data` (Candles, a path or dataset id, or a list for
    several feeds) and return an OptimizeResult.

    space: {param: range | [values] | (lo, hi[, step]) | Range | Choice} (default: the strategy's
    own `space`); params: fixed values for other parameters. objective: a statistic's name
    ("-name" to minimize), a function of the Result, or a list of them (Pareto front). method:
    "grid", "random", "tpe", "cmaes" (the last two need Optuna). constraint(params) -> bool
    skips points. min_trades: fewer trades make a trial "too_few_trades", never best.
    executor: a distributed.Client or concurrent.futures.Executor (default: a process pool of
    `jobs`, all cores; jobs=1 runs here). batch: Optuna trials asked at a time. blocks: the S of
    the PBO's cross-validation. out: a folder for the journal (resume), the study and the report.
    progress(done, total, records). The other keywords are backtest settings (cash, commission...).
    """
    from .run import finish, prepare
    from .search import run_search

    job, space, method_, journal = prepare(strategy, data, space, objective=objective, method=method,
                                           constraint=constraint, max_trials=max_trials, min_trades=min_trades,
                                           seed=seed, batch=batch, blocks=blocks, out=out, params=params,
                                           settings=settings)
    from .executors import runner_for

    runner = runner_for(executor, jobs)
    interrupted = True
    runner.start(job)
    try:
        records, interrupted = run_search(method_, runner, progress=progress, journal=journal)
    finally:
        runner.close(cancel=interrupted)
    return finish(job, space, method, records, interrupted, runner, out)


def walk_forward(strategy, data, space=None, **options):
    """Optimize on rolling (or anchored) train windows and run the chosen parameters on the test
    window after each: see cracktrader.optimize.walkforward.walk_forward."""
    from .walkforward import walk_forward as run

    return run(strategy, data, space, **options)


class _CallableModule(types.ModuleType):
    """`ct.optimize(...)` calls the function; `ct.optimize.Range` etc. are the module's names."""

    def __call__(self, *args, **kwargs):
        return optimize(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
