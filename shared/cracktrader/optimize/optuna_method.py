"""Model-based search with Optuna (pip `optuna`; CMA-ES also needs `cmaes`): TPE or CMA-ES
propose, the trials run on any executor, and the results are told back.

Trials are asked `batch` at a time (the sampler's constant liar keeps a batch's points apart) and
the next batch is asked once the whole batch is told: the proposals depend on the seed and the
results only. With `storage` (a path) the study lives in SQLite, so an interrupted search
resumes: trials it had asked but not finished are asked again with the same parameters.
"""

import math

from .methods import MAX_REJECTED, allowed
from .space import Choice, Range

INDEX = "cracktrader_index"  # our trial number, kept on Optuna's trial


class OptunaMethod:
    def __init__(self, name, space, total, seed, constraint, batch, storage, directions, done):
        try:
            import optuna
        except ImportError:
            raise ValueError(f"method {name!r} needs Optuna: pip install optuna"
                             + (" cmaes" if name == "cmaes" else "") + " (grid and random need nothing)") from None
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise ValueError(f"batch must be an int >= 1, got {batch!r}")
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna, self.total, self.constraint, self.batch = optuna, total, constraint, batch
        self.space = space
        self.dists = {n: _distribution(optuna, d) for n, d in space.dims.items()}
        if name == "cmaes":
            if len(directions) > 1:
                raise ValueError("method 'cmaes' optimizes one objective: use 'tpe' for several")
            try:
                import cmaes  # noqa: F401 - Optuna's CmaEsSampler imports it when sampling
            except ImportError:
                raise ValueError("method 'cmaes' needs the cmaes package: pip install cmaes") from None
            sampler = optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
        else:
            sampler = optuna.samplers.TPESampler(seed=seed)
        url = None if storage is None else f"sqlite:///{storage}"
        self.study = optuna.create_study(storage=url, sampler=sampler, study_name="cracktrader", load_if_exists=True,
                                         directions=list(directions))
        self.trials = {}  # our index -> Optuna's trial (asked, not yet told)
        self.next_index = 0
        self.redo = []  # (index, params) asked before an interruption, not finished
        self._resume(done or {})

    def _resume(self, done):
        """Tell the study what finished before an interruption; ask again what did not."""
        states = self.optuna.trial.TrialState
        for frozen in self.study.get_trials(deepcopy=False):
            index = frozen.user_attrs.get(INDEX)
            if index is None:
                continue
            self.next_index = max(self.next_index, index + 1)
            if frozen.state != states.RUNNING:
                continue
            if index in done:
                self._tell(frozen.number, done[index])
            else:
                self.study.tell(frozen.number, state=states.FAIL)
                self.redo.append((index, dict(frozen.params)))
        self.told = len(done)

    def next_batch(self):
        out = []
        while self.redo and len(out) < self.batch:
            index, params = self.redo.pop(0)
            self.study.enqueue_trial(params)
            out.append(self._ask(index))
        rejected = 0
        while len(out) < self.batch and self.next_index < self.total:
            trial = self.study.ask(self.dists)
            params = {n: trial.params[n] for n in self.space.names}
            if not allowed(self.constraint, params):
                self.study.tell(trial, state=self.optuna.trial.TrialState.FAIL)
                rejected += 1
                if rejected >= MAX_REJECTED:
                    if not self.told and not out:
                        raise ValueError(f"the constraint rejected {MAX_REJECTED} proposals in a row: nothing to run")
                    self.total = self.next_index  # the space left is used up
                    break
                continue
            trial.set_user_attr(INDEX, self.next_index)
            self.trials[self.next_index] = trial
            out.append((self.next_index, params))
            self.next_index += 1
        return out

    def _ask(self, index):
        trial = self.study.ask(self.dists)
        trial.set_user_attr(INDEX, index)
        self.trials[index] = trial
        return index, {n: trial.params[n] for n in self.space.names}

    def tell(self, index, record):
        trial = self.trials.pop(index, None)
        if trial is not None:
            self._tell(trial, record)
        self.told += 1

    def _tell(self, trial, record):
        values = record.get("objective")
        ok = record["status"] == "ok" and values and all(v is not None and math.isfinite(v) for v in values)
        if ok:
            self.study.tell(trial, values if len(values) > 1 else values[0])
        else:
            self.study.tell(trial, state=self.optuna.trial.TrialState.FAIL)

    def close(self):
        pass


def _distribution(optuna, dim):
    d = optuna.distributions
    if isinstance(dim, Range):
        if dim.integer:
            return d.IntDistribution(dim.lo, dim.hi, step=dim.step or 1)
        return d.FloatDistribution(float(dim.lo), float(dim.hi), log=dim.log, step=dim.step)
    values = dim.values
    if isinstance(dim, Choice) and len(values) > 1 and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        step = values[1] - values[0]
        if step > 0 and values == list(range(values[0], values[-1] + 1, step)):
            return d.IntDistribution(values[0], values[-1], step=step)  # an ordered range, not categories
    return d.CategoricalDistribution(values)
