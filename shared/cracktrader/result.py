"""The result of a run: final value, statistics, closed trades and the equity curve.

`to_json()` writes the document the CLI and the browser share:
`{"final_value", "engine", "stats": {...}, "trades": [{"entry_time", "exit_time", "side", "size",
"entry_price", "exit_price", "pnl", "commission"}], "equity": [[time_ms, value], ...]}`.
Times are UTC ms (a fill's time is its bar's open time). The same run gives the same bytes;
"engine" says which ran it ("event", or "vectorized": the same document otherwise).
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
                 first_step=0, engine_reason=None):
        self.final_value = final_value
        self.cash = cash
        self.trades = trades  # closed, in closing order
        self.open_trades = open_trades
        self.times = times  # array('q'): each bar's time
        self.equity = equity  # array('d'): the value at each bar's close
        self.bar_ms = bar_ms
        self.orders = orders  # every order of the run, by id
        self.feeds = feeds
        self.first_step = first_step  # the run's step of equity[0] (> 0 when it started at `start`)
        self.engine_reason = engine_reason  # why the vectorized kernel did not run it (backtest.py)
        self._stats = None

    @property
    def stats(self):
        if self._stats is None:
            self._stats = _clean(_stats.summarize(self.measures(), self.cash, self.bar_ms))
        return self._stats

    def measures(self):
        """What the statistics are made of (`stats.Measures`)."""
        return _stats.measure(self.trades, self.open_trades, self.times, self.equity, self.first_step)

    def to_dict(self, equity=True):
        """The JSON document as a dict; `equity=False` leaves out the (long) equity curve."""
        doc = {
            "final_value": _clean(self.final_value),
            "engine": self.engine,
            "stats": self.stats,
            "trades": [_clean(t.to_dict()) for t in self.trades],
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
