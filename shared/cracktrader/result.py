"""The result of a run: final value, statistics, trades, the log and the equity curve.

`to_json()` writes the document the CLI, the server and the browser share (README, Results):
`{"final_value", "engine", "stats": {...}, "trades": [{"entry_time", "exit_time", "side", "size",
"entry_price", "exit_price", "pnl", "commission", "bars", "duration_ms", "return", "mae", "mfe",
"entry_reason", "exit_reason"}], "open_trades": [...], "summary": {"long", "short", "monthly"},
"log": [{"time", "bar", "text"}], "equity": [[time_ms, value], ...]}`.
Times are UTC ms (a fill's time is its bar's open time). The same run gives the same bytes;
"engine" says which ran it ("event", or "vectorized": the same document otherwise).
A trade's detail (bars, duration, return, MAE/MFE, reasons) is derived here from its record
(`accounting.Trade`: fills, times, entry/exit orders) and its feed's bars, whichever engine ran;
`stats` adds buy-and-hold of `benchmark` (`stats.versus`) to the Measures' statistics.
"""

import json
import math

from . import stats as _stats


def _clean(x):
    """JSON has no NaN/inf: undefined numbers become null."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    return x


class Result:
    engine = "event"  # which engine ran: "event", or "vectorized" (the kernel's KernelResult)

    def __init__(self, final_value, cash, trades, open_trades, times, equity, bar_ms, orders, feeds,
                 benchmark=None, log=(), first_step=0, engine_reason=None):
        self.final_value = final_value
        self.cash = cash
        self.trades = trades  # closed, in closing order
        self.open_trades = open_trades
        self.times = times  # array('q'): each bar's time
        self.equity = equity  # array('d'): the value at each bar's close
        self.bar_ms = bar_ms
        self.orders = orders  # every order of the run, by id
        self.feeds = feeds
        self.benchmark = benchmark  # the first feed's close at each bar: what buy-and-hold follows
        self.log = list(log)  # [{"time", "bar", "text"}]: what the strategy printed
        self.first_step = first_step  # the engine's step of the first bar (after a run's history)
        self.engine_reason = engine_reason  # why the vectorized kernel did not run it (backtest.py)
        self._stats = None

    @property
    def stats(self):
        if self._stats is None:
            against = _stats.versus(self.equity, self.benchmark, self.bar_ms)
            self._stats = _clean(_stats.summarize(self.measures(), self.cash, self.bar_ms, against))
        return self._stats

    def measures(self):
        """What the statistics are made of (`stats.Measures`)."""
        return _stats.measure(self.trades, self.open_trades, self.times, self.equity, self.first_step)

    def benchmark_equity(self):
        """Buy-and-hold of the benchmark with the initial cash, at each bar's close (from the
        first bar's close, no fees): the line the chart draws beside the equity."""
        b = self.benchmark
        if not b or not b[0]:
            return None
        scale = self.cash / b[0]
        return [v * scale for v in b]

    def to_dict(self, equity=True):
        """The JSON document as a dict; `equity=False` leaves out the (long) equity curve."""
        doc = {
            "final_value": _clean(self.final_value),
            "engine": self.engine,
            "stats": self.stats,
            "trades": [_clean(t.to_dict()) for t in self.trades],
            "open_trades": [_clean(t.open_dict(self.times[-1])) for t in self.open_trades],
            "summary": {k: _clean(v) if isinstance(v, dict) else [_clean(m) for m in v]
                        for k, v in _stats.summary(self.trades, self.times, self.equity, self.cash).items()},
            "log": self.log,
        }
        if equity:
            doc["equity"] = [[t, _clean(v)] for t, v in zip(self.times, self.equity)]
        return doc

    def to_json(self, indent=None):
        if indent is not None or not all(map(math.isfinite, self.equity)):
            return json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        # The same bytes, quicker: the curve as (time, value) pairs, which json writes as
        # arrays, without building a list per bar (a third of the time at 1M bars).
        head = json.dumps(self.to_dict(equity=False), allow_nan=False)
        curve = json.dumps(list(zip(self.times, self.equity)), allow_nan=False)
        return f'{head[:-1]}, "equity": {curve}}}'

    def __repr__(self):
        return f"<Result final_value={self.final_value:.2f} trades={len(self.trades)} bars={len(self.equity)}>"
