"""What a search gives: every trial's record, the best (or the Pareto front), the overfitting
report, and the way to look at them (`write`: a table, an HTML page and PNG charts)."""

import json
import math

from . import overfitting

FIELDS = ("trial", "status", "reason", "engine", "seconds")


class OptimizeResult:
    def __init__(self, job, space, method, records, *, interrupted=False, executor=None):
        self.job, self.space, self.method = job, space, method
        self.objective = job.objective
        self.trials = records  # by trial number: {"trial", "params", "status", "reason", "objective", "stats", ...}
        self.interrupted, self.executor = interrupted, executor
        from .search import best_index

        self._best = None if self.objective.multi else best_index(records, self.objective)
        self._report = None

    # --- the answer -----------------------------------------------------------------------
    @property
    def best(self):
        """The best trial's record (single objective; None if no trial is ok)."""
        return None if self._best is None else self.trials[self._best]

    @property
    def best_params(self):
        """The best trial's parameters, the fixed ones included: what to run."""
        return None if self.best is None else {**self.job.fixed, **self.best["params"]}

    @property
    def pareto(self):
        """The trials no other beats on every objective (several objectives)."""
        return [self.trials[k] for k in self.objective.pareto(self.trials)]

    @property
    def engines(self):
        """Which engines ran the trials ("event", "vectorized")."""
        return sorted({r["engine"] for r in self.trials if r.get("engine")})

    @property
    def overfitting(self):
        """PBO, PSR, DSR, MinBTL and the plateau score of the best trial (overfitting.report)."""
        if self._report is None:
            scores = [self.objective.score(r["objective"]) if r["status"] == "ok" else None for r in self.trials]
            coords = [self.space.coords(r["params"]) for r in self.trials]
            self._report = overfitting.report(self.trials, scores, coords, self._best)
        return self._report

    def best_result(self, params=None):
        """The best trial run again here, as a ct.Result (its equity, trades...)."""
        from .trial import run_window

        params = params or self.best_params
        return None if params is None else run_window(self.job, params)[1]

    # --- tables ---------------------------------------------------------------------------------
    def table(self):
        """One flat row per trial: trial, the params, status, the objective(s), the stats, seconds."""
        rows = []
        for r in self.trials:
            row = {"trial": r["trial"], **r["params"], "status": r["status"]}
            for name, value in zip(self.objective.names, r["objective"] or [None] * len(self.objective.terms)):
                row[f"objective:{name}" if self.objective.multi else "objective"] = value
            row.update((k, v) for k, v in (r["stats"] or {}).items() if k not in row)
            row.update(engine=r.get("engine"), seconds=r.get("seconds"), reason=r.get("reason"))
            rows.append(row)
        return rows

    def to_dict(self):
        """The result as JSON-ready data (trials without their return summaries)."""
        report = dict(self.overfitting)
        if report.get("pbo_detail"):
            report["pbo_detail"] = {k: v for k, v in report["pbo_detail"].items() if k != "logits"}
        return _clean({
            "strategy": self.job.strategy.__name__, "method": self.method, "objective": self.objective.describe(),
            "directions": self.objective.directions, "space": self.space.describe(), "fixed": self.job.fixed,
            "executor": self.executor, "engines": self.engines, "interrupted": self.interrupted,
            "best": self.best and _public(self.best), "best_params": self.best_params,
            "pareto": [r["trial"] for r in self.pareto] if self.objective.multi else None,
            "overfitting": report, "trials": [_public(r) for r in self.trials],
        })

    def to_json(self, indent=None):
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def write(self, folder, charts=True):
        """results.json, trials.csv, report.html and (with matplotlib) PNG charts in `folder`."""
        from .report import write

        return write(self, folder, charts=charts)

    def __repr__(self):
        best = f" best={self.best_params}" if self.best is not None else ""
        return f"<OptimizeResult {self.method} {len(self.trials)} trials{best}{' interrupted' if self.interrupted else ''}>"


def _public(record):
    return {k: v for k, v in record.items() if k not in ("moments", "blocks", "per_year")}


def _clean(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x
