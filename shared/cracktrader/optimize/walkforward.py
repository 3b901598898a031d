"""Walk-forward: optimize on a train window, run the chosen parameters on the test window after
it, move on by one test window, and stitch the test windows' equity into one out-of-sample curve.

    train |========|gap|-test-|
    train     |========|gap|-test-|            anchored=True: every train window starts at the
    train         |========|gap|-test-|        first bar (and grows)

Every run (a train trial or a test run) sees the bars up to its window's end only, and its
indicators warm up on the bars before its window's start, never after: a test window trades
from its first bar with indicators computed from the past. The stitched curve compounds: each
test window starts with the value the previous one ended with (positions open at a window's end
are valued at its last close); its trades are scaled alike.

Walk-forward efficiency (Pardo) is the annualized out-of-sample return over the annualized
in-sample return of the chosen parameters (simple annualization: return x year / window), per
fold and for the whole (stitched curve over the folds' mean).
"""

import math

from .. import stats as _stats
from ..candles import timeframe_ms
from .methods import method_for
from .report import equity_chart, write_csv
from .run import make_job
from .search import best_index, run_search
from .trial import run_window

YEAR_MS = _stats.YEAR_MS


def duration_ms(text, what):
    """UTC ms in "180d", "12h", "30m", "2w", "90s" or "0"."""
    if isinstance(text, (int, float)) and not isinstance(text, bool) and text == 0:
        return 0
    if isinstance(text, str) and text.strip() == "0":
        return 0
    try:
        return timeframe_ms(text.strip() if isinstance(text, str) else text)
    except ValueError:
        raise ValueError(f"{what} {text!r}: expected a duration like '180d', '12h', '30m' or '0'") from None


def folds(times, bar_ms, train, test, gap=0, anchored=False):
    """[(train_start, train_end, test_start, test_end)] in UTC ms over bars opening at `times`
    (the last test window may be shorter: it ends with the data)."""
    if not len(times):
        return []
    first, end = times[0], times[-1] + bar_ms
    out, test_start = [], first + train + gap
    while test_start < end:
        train_end = test_start - gap
        out.append((first if anchored else train_end - train, train_end, test_start, min(test_start + test, end)))
        test_start += test
    return out


def walk_forward(strategy, data, space=None, *, train="180d", test="30d", gap="0", anchored=False, objective="sharpe",
                 method="grid", constraint=None, max_trials=None, min_trades=1, executor=None, jobs=None, seed=0,
                 batch=8, blocks=16, params=None, out=None, progress=None, **settings):
    """Walk-forward analysis; returns a WalkForwardResult. The search options are optimize()'s,
    applied to each train window; train/test/gap are durations ("180d", "30d", "0")."""
    job, space = make_job(strategy, data, space, objective=objective, min_trades=min_trades, blocks=blocks,
                          params=params, settings=settings)
    if job.objective.multi:
        raise ValueError("walk-forward needs one objective to choose each fold's parameters")
    train_ms, test_ms, gap_ms = duration_ms(train, "train"), duration_ms(test, "test"), duration_ms(gap, "gap")
    if train_ms <= 0 or test_ms <= 0:
        raise ValueError("train and test must be longer than 0")
    first = job.candles()[0]
    bar_ms = timeframe_ms(first.timeframe) if first.timeframe else (first.time[1] - first.time[0] if len(first) > 1 else 0)
    windows = folds(first.time, bar_ms, train_ms, test_ms, gap_ms, anchored)
    if not windows:
        span = (first.time[-1] + bar_ms - first.time[0]) / 86_400_000 if len(first) else 0
        raise ValueError(f"the data spans {span:.1f} days: too short for a {train} train window, a {gap} gap and a "
                         f"{test} test window")
    from .executors import runner_for

    runner = runner_for(executor, jobs)
    results, interrupted = [], False
    runner.start(job)
    try:
        for k, (a, b, c, d) in enumerate(windows):
            search = method_for(method, space, max_trials=max_trials, seed=seed, constraint=constraint, batch=batch,
                                directions=job.objective.directions)
            fold_progress = progress and (lambda done, total, records, k=k: progress(k, len(windows), done, total))
            records, interrupted = run_search(search, runner, window=(a, b), progress=fold_progress)
            results.append(_fold(job, k, (a, b, c, d), records, bar_ms))
            if interrupted:
                break
    finally:
        runner.close(cancel=interrupted)
    if not any(f["params"] is not None for f in results):
        raise ValueError(f"no fold could choose parameters: {results[0]['reason']}")
    result = WalkForwardResult(job, space, method, results, bar_ms, interrupted=interrupted, executor=runner.name,
                               options=dict(train=train, test=test, gap=gap, anchored=anchored))
    if out is not None:
        result.write(out)
    return result


def _fold(job, k, window, records, bar_ms):
    a, b, c, d = window
    best = best_index(records, job.objective)
    fold = {"fold": k + 1, "train": [a, b], "test": [c, d], "trials": len(records),
            "failed": sum(r["status"] == "failed" for r in records), "params": None, "reason": None,
            "in_sample": None, "out_of_sample": None, "efficiency": None, "result": None}
    if best is None:
        reasons = [r["reason"] for r in records if r.get("reason")]
        fold["reason"] = (max(set(reasons), key=reasons.count) if reasons else "no trial") + " (every trial of the fold)"
        return fold
    chosen = records[best]
    fold["params"] = {**job.fixed, **chosen["params"]}
    fold["in_sample"] = {"objective": chosen["objective"][0], "total_return": chosen["stats"]["total_return"],
                         "annualized": _annualized(chosen["stats"], bar_ms), "trial": chosen["trial"]}
    _, result = run_window(job, chosen["params"], (c, d))
    values = job.objective.values(result, result.stats)
    fold["result"] = result
    fold["out_of_sample"] = {"objective": values[0], "total_return": result.stats["total_return"],
                             "annualized": _annualized(result.stats, bar_ms), "trades": result.stats["trades"]}
    fold["efficiency"] = _ratio(fold["out_of_sample"]["annualized"], fold["in_sample"]["annualized"])
    return fold


def _annualized(stats, bar_ms):
    """The total return scaled to a year (simple, not compounded) over the run's span."""
    span = stats["end"] - stats["start"] + bar_ms if stats.get("start") is not None else None
    return stats["total_return"] * YEAR_MS / span if span else None


def _ratio(a, b):
    return a / b if a is not None and b is not None and b > 0 else None


class StitchedTrade:
    """A test window's trade in the stitched account: money scaled, steps shifted."""

    __slots__ = ("fold", "side", "size", "entry_time", "entry_step", "entry_price", "exit_time", "exit_step",
                 "exit_price", "pnl", "commission", "is_open")

    def __init__(self, trade, fold, scale, shift):
        self.fold, self.side, self.size = fold, trade.side, trade.size * scale
        self.entry_time, self.entry_price, self.exit_time, self.exit_price = (
            trade.entry_time, trade.entry_price, trade.exit_time, trade.exit_price)
        self.entry_step = trade.entry_step + shift
        self.exit_step = None if trade.exit_step is None else trade.exit_step + shift
        self.pnl, self.commission, self.is_open = trade.pnl * scale, trade.commission * scale, trade.is_open

    def to_dict(self):
        return {"fold": self.fold, "entry_time": self.entry_time, "exit_time": self.exit_time, "side": self.side,
                "size": self.size, "entry_price": self.entry_price, "exit_price": self.exit_price, "pnl": self.pnl,
                "commission": self.commission}


def stitch(folds_, cash, bar_ms):
    """(times, equity, closed trades, open trades) of the test windows laid end to end, compounding."""
    from array import array

    times, equity, trades, open_ = array("q"), array("d"), [], []
    value = cash
    for fold in folds_:
        result = fold["result"]
        if result is None:
            continue
        scale = value / result.cash
        shift = len(equity) - result.first_step
        times.extend(result.times)
        equity.extend(array("d", [v * scale for v in result.equity]))
        trades.extend(StitchedTrade(t, fold["fold"], scale, shift) for t in result.trades)
        open_ = [StitchedTrade(t, fold["fold"], scale, shift) for t in result.open_trades]
        value = equity[-1] if len(equity) else value
    return times, equity, trades, open_


class WalkForwardResult:
    def __init__(self, job, space, method, folds_, bar_ms, *, interrupted=False, executor=None, options=None):
        self.job, self.space, self.method, self.folds = job, space, method, folds_
        self.interrupted, self.executor, self.options = interrupted, executor, options or {}
        cash = float(job.settings.get("cash", 10_000.0))
        self.times, self.equity, self.trades, self.open_trades = stitch(folds_, cash, bar_ms)
        self.stats = _stats.compute(self.trades, self.open_trades, self.times, self.equity, cash, bar_ms) \
            if len(self.equity) else None
        ins = [f["in_sample"]["annualized"] for f in folds_ if f["in_sample"] and f["in_sample"]["annualized"] is not None]
        self.efficiency = _ratio(_annualized(self.stats, bar_ms) if self.stats else None,
                                 math.fsum(ins) / len(ins) if ins else None)

    def table(self):
        """One row per fold: windows, chosen params, in-sample and out-of-sample figures."""
        rows = []
        for f in self.folds:
            row = {"fold": f["fold"], "train_start": f["train"][0], "train_end": f["train"][1], "test_start": f["test"][0],
                   "test_end": f["test"][1], **(f["params"] or {}), "trials": f["trials"], "failed": f["failed"]}
            for side, prefix in (("in_sample", "is"), ("out_of_sample", "oos")):
                for key, value in (f[side] or {}).items():
                    if key != "trial":
                        row[f"{prefix}_{key}"] = value
            row["efficiency"], row["reason"] = f["efficiency"], f["reason"]
            rows.append(row)
        return rows

    def to_dict(self):
        from .result import _clean

        return _clean({"strategy": self.job.strategy.__name__, "method": self.method, "options": self.options,
                       "objective": self.job.objective.describe(), "executor": self.executor,
                       "interrupted": self.interrupted, "efficiency": self.efficiency, "stats": self.stats,
                       "folds": self.table(), "trades": [t.to_dict() for t in self.trades],
                       "equity": [[t, v] for t, v in zip(self.times, self.equity)]})

    def write(self, folder):
        """results.json, folds.csv, report.html and folds.png (with matplotlib) in `folder`."""
        import json
        from pathlib import Path

        from .report import _pyplot, page_walk_forward

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results.json").write_text(json.dumps(self.to_dict(), allow_nan=False))
        write_csv(self.table(), folder / "folds.csv")
        plt, image = _pyplot(), None
        if plt is not None and len(self.equity):
            image = equity_chart(plt, [(self.times, self.equity, "out of sample, stitched")], folder / "folds.png",
                                 "Walk-forward: test windows stitched (shaded: one per fold)",
                                 spans=[tuple(f["test"]) for f in self.folds])
        (folder / "report.html").write_text(page_walk_forward(self, image and image.name))
        return folder

    def __repr__(self):
        ret = self.stats and self.stats["total_return"]
        return f"<WalkForwardResult {len(self.folds)} folds oos_return={ret!r} efficiency={self.efficiency!r}>"
