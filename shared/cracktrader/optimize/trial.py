"""One trial of a search: a pure function of (strategy, data, params, settings), so any executor
gives the same table.

`run_trial(job, params, window)` is the one place a trial runs. It runs through ct.backtest,
whose routing (`backtest.why_event`, settings' `engine`: "auto", "event" or "vectorized")
puts a qualifying ct.vectorized.SignalStrategy on the vectorized kernel and anything else
(a window's `start`, `volume_limit`...) on the event engine; the record says which ran
(`result.engine`, "engine").

A `Job` is what every trial of a search shares (strategy, data, settings, objective, guard); an
executor ships it to each worker once.
"""

import time
import uuid
from bisect import bisect_right

from ..backtest import backtest
from ..candles import timeframe_ms
from ..data.errors import DataError
from ..strategy import StrategyError, strategies_from_source
from . import overfitting
from .memo import KernelMemo, installed
from .objective import Objective

SETTINGS = ("cash", "commission", "slippage", "fill", "intrabar", "intrabar_data", "leverage", "sizing", "market_rules",
            "volume_limit", "engine")


class Job:
    """What every trial of a search shares. `data` is a list of Candles (or something with
    `.open()` giving them: a file mapping); `blocks` is the S of the overfitting report."""

    def __init__(self, strategy, data, settings=None, objective="sharpe", min_trades=1, blocks=16, fixed=None,
                 token=None):
        settings = dict(settings or {})
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(unknown)} (known: {', '.join(SETTINGS)})")
        if isinstance(min_trades, bool) or not isinstance(min_trades, int) or min_trades < 0:
            raise ValueError(f"min_trades must be an int >= 0, got {min_trades!r}")
        if isinstance(blocks, bool) or not isinstance(blocks, int) or blocks < 2 or blocks % 2:
            raise ValueError(f"blocks (the S of CSCV) must be an even int >= 2, got {blocks!r}")
        self.strategy, self.data, self.settings = strategy, data, settings
        self.objective = objective if isinstance(objective, Objective) else Objective(objective)
        self.min_trades, self.blocks = min_trades, blocks
        self.fixed = dict(fixed or {})  # parameters every trial runs with (the searched ones vary)
        self.token = token or uuid.uuid4().hex
        self._memo = None

    def candles(self):
        if not isinstance(self.data, list):
            self.data = self.data.open()
        return self.data

    def with_data(self, data):
        """The same job over other data (a mapping of the same candles)."""
        return Job(self.strategy, data, self.settings, self.objective, self.min_trades, self.blocks, self.fixed,
                   self.token)

    @property
    def memo(self):
        if self._memo is None:
            self._memo = KernelMemo()
        return self._memo

    def __reduce__(self):
        return _rebuild, (_strategy_ref(self.strategy), self.data, self.settings, self.objective, self.min_trades,
                          self.blocks, self.fixed, self.token)


def _rebuild(ref, data, settings, objective, min_trades, blocks, fixed, token):
    return Job(_load_strategy(ref), data, settings, objective, min_trades, blocks, fixed, token)


def _strategy_ref(cls):
    """A strategy loaded from source travels as its source; others by reference (pickle)."""
    if "__cracktrader_source__" in vars(cls):
        source, filename = cls.__cracktrader_source__
        return ("source", source, filename, cls.__name__)
    return ("class", cls)


_LOADED = {}


def _load_strategy(ref):
    if ref[0] == "class":
        return ref[1]
    key = ref[1:]
    if key not in _LOADED:
        _, source, filename, name = ref
        _LOADED[key] = strategies_from_source(source, filename)[name]
    return _LOADED[key]


# --- choosing the engine ------------------------------------------------------------------------
def runner(job):
    """run(strategy, data, params, start) -> (engine, Result): ct.backtest with the job's
    settings, on the engine its routing chooses (`result.engine`)."""
    def run(strategy, data, params, start):
        result = backtest(strategy, data, params=params, start=start, **job.settings)
        return result.engine, result
    return run


# --- a trial --------------------------------------------------------------------------------
def window_data(candles, stop):
    """Each feed's bars that have closed by `stop` (UTC ms; None: all of them)."""
    if stop is None:
        return candles
    out = []
    for c in candles:
        bar_ms = _bar_ms(c)
        out.append(c.slice(0, bisect_right(c.time, stop - bar_ms)))
    return out


def _bar_ms(c):
    if c.timeframe:
        return timeframe_ms(c.timeframe)
    return c.time[1] - c.time[0] if len(c) > 1 else 0


def run_window(job, params, window=None, run=None):
    """(engine, Result) of the job's strategy with `params` (besides the fixed ones) over
    `window` (start, stop) in UTC ms: indicators warm up on the bars before `start`, nothing
    after `stop` is loaded."""
    start, stop = window if window is not None else (None, None)
    data = window_data(job.candles(), stop)
    with installed(job.memo):
        return (run or runner(job))(job.strategy, data if len(data) > 1 else data[0], {**job.fixed, **params}, start)


def run_trial(job, params, window=None):
    """The record of one trial: params, status ("ok", "failed", "too_few_trades", "undefined"),
    reason, objective values, stats, engine, seconds, and the return summaries of the report.
    `window`: see run_window."""
    began = time.perf_counter()
    record = {"params": dict(params), "status": "ok", "reason": None, "objective": None, "stats": None,
              "engine": None, "seconds": None}
    try:
        record["engine"], result = run_window(job, params, window)
        stats = result.stats
        values = job.objective.values(result, stats)
    except (StrategyError, ValueError, DataError) as e:  # they say what and where
        return _failed(record, str(e).replace("\n", " "), began)
    except Exception as e:  # noqa: BLE001 - one trial failing must not stop the search
        return _failed(record, f"{type(e).__name__}: {e}", began)
    record["stats"] = {k: v for k, v in stats.items() if k != "annualization"}
    record["objective"] = values
    traded = stats["trades"] + stats["open_trades"]  # a position still open at the end counts
    if traded < job.min_trades:
        record["status"], record["reason"] = "too_few_trades", f"{traded} trades < min_trades {job.min_trades}"
    elif any(v is None for v in values):
        record["status"] = "undefined"
        record["reason"] = "objective undefined: " + ", ".join(n for n, v in zip(job.objective.names, values) if v is None)
    moments, record["blocks"] = overfitting.summaries(result.equity, job.blocks)
    record["moments"] = list(moments)
    record["per_year"] = stats["annualization"]["periods_per_year"]
    record["seconds"] = round(time.perf_counter() - began, 6)
    return record


def _failed(record, reason, began):
    record["status"], record["reason"] = "failed", reason
    record["seconds"] = round(time.perf_counter() - began, 6)
    return record


def run_chunk(job, tasks):
    """Several trials [(params, window)] in one call (one task of an executor)."""
    return [run_trial(job, params, window) for params, window in tasks]
