"""A sweep driven step by step from outside Python: the browser's Optimize panel, which runs the
trials in a pool of Pyodide workers. The steps are the server's own, so the same search gives
the same table in the browser and on the server.

    plan(source, strategy, candles, request)      the coordinator: the points to run (and folds)
    prepare(source, strategy, candles, request)   each worker, once: the job
    trials([[index, params, window], ...])         each worker: the records
    result(records)                               the coordinator: the search's result document
    fold(k, records) / walk(...)                  the coordinator: a walk-forward fold, the whole

The request (JSON): {"space": {name: "5:50:5" | "5,10,20"}, "method": "grid" | "random",
"max_trials", "seed", "objective": [stat, ...], "min_trades", "constraint": "fast < slow",
"blocks", "params": {fixed}, "settings": {cash, commission, slippage},
"walk_forward": null | {"train", "test", "gap", "anchored"}}. Model-based methods need Optuna,
which does not run in the browser (it needs numpy).
"""

from ..candles import timeframe_ms
from ..strategy import strategies_from_source
from .methods import constraint_from_text, method_for
from .result import OptimizeResult
from .run import make_job
from .space import parse
from .walkforward import WalkForwardResult, _fold, duration_ms, folds

FILENAME = "strategy.py"
_state = {}  # this worker's search: job, space, request (and the coordinator's folds)


def _strategy(source, name):
    found = strategies_from_source(source, FILENAME)
    if name is None and len(found) == 1:
        name = next(iter(found))
    if name not in found:
        raise ValueError(f"{FILENAME}: no Strategy class {name!r} (found: {', '.join(found) or 'none'})")
    return found[name]


def prepare(source, strategy, candles, request):
    """Build this worker's job from the request; returns the space's names."""
    cls = _strategy(source, strategy)
    defaults = dict(getattr(cls, "params", None) or {})
    space = dict(parse(f"{name}={text}", defaults) for name, text in (request.get("space") or {}).items()
                 if str(text).strip()) or None
    objective = request.get("objective") or ["sharpe"]
    job, space = make_job(cls, candles, space, objective=objective if len(objective) > 1 else objective[0],
                          min_trades=int(request.get("min_trades", 1)), blocks=int(request.get("blocks", 16)),
                          params=request.get("params") or None, settings=request.get("settings") or {})
    _state.clear()
    _state.update(job=job, space=space, request=request, folds=[])
    return space.names


def plan(source, strategy, candles, request):
    """The points to run, in trial order, and the walk-forward windows (or [None])."""
    names = prepare(source, strategy, candles, request)
    method = request.get("method", "grid")
    if method not in ("grid", "random"):
        raise ValueError(f"method {method!r} needs Optuna, which needs numpy: not in the browser (grid and random are)")
    job, space = _state["job"], _state["space"]
    method_ = method_for(method, space, max_trials=request.get("max_trials"), seed=int(request.get("seed", 0)),
                         constraint=constraint_from_text(request.get("constraint"), list(getattr(job.strategy, "params", {}))),
                         directions=job.objective.directions)
    points = [params for _, params in method_.next_batch()]
    windows = [None]
    wf = request.get("walk_forward")
    if wf:
        if job.objective.multi:
            raise ValueError("walk-forward needs one objective to choose each fold's parameters")
        first = job.candles()[0]
        bar_ms = timeframe_ms(first.timeframe) if first.timeframe else first.time[1] - first.time[0]
        train, test = duration_ms(wf.get("train", "180d"), "train"), duration_ms(wf.get("test", "30d"), "test")
        windows = [[a, b, c, d] for a, b, c, d in folds(first.time, bar_ms, train, test, duration_ms(wf.get("gap", "0"), "gap"),
                                                        bool(wf.get("anchored")))]
        if not windows:
            raise ValueError(f"the data is too short for a {wf.get('train')} train window and a {wf.get('test')} test window")
        _state["bar_ms"] = bar_ms
    return {"points": points, "names": names, "windows": windows, "objective": job.objective.names,
            "directions": job.objective.directions}


def trials(tasks):
    """Records of [[index, params, window or None], ...] on this worker's job."""
    from .trial import run_trial

    job = _state["job"]
    return [{"trial": index, **run_trial(job, params, tuple(window) if window else None)} for index, params, window in tasks]


def result(records):
    """The search's result document (as OptimizeResult.to_dict) plus the heatmap's cells."""
    res = OptimizeResult(_state["job"], _state["space"], _state["request"].get("method", "grid"),
                         sorted(records, key=lambda r: r["trial"]))
    doc = res.to_dict()
    names = res.space.names
    if len(names) >= 2 and not res.objective.multi:
        from .report import heatmap_cells

        cells, xs, ys = heatmap_cells(res, names[0], names[1])
        sign = res.objective.terms[0].sign
        doc["heatmap"] = {"x": names[0], "y": names[1], "xs": xs, "ys": ys,
                          "cells": [[sign * cells[(a, b)] if (a, b) in cells else None for a in xs] for b in ys]}
    return doc


def fold(k, window, records):
    """Choose fold k's parameters from its train records and run its test window."""
    job = _state["job"]
    out = _fold(job, k, tuple(window), sorted(records, key=lambda r: r["trial"]), _state["bar_ms"])
    _state["folds"].append(out)
    return {key: v for key, v in out.items() if key != "result"}


def walk():
    """The walk-forward's document (WalkForwardResult.to_dict), the stitched curve included."""
    wf = WalkForwardResult(_state["job"], _state["space"], _state["request"].get("method", "grid"), _state["folds"],
                           _state["bar_ms"], options=dict(_state["request"].get("walk_forward") or {}))
    return wf.to_dict()
