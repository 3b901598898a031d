"""Strategies and data shared by the sweep tests (importable: worker processes load them)."""

import os
import signal
from pathlib import Path

import cracktrader as ct
from cracktrader import synthetic
from cracktrader.examples import sma_cross
from cracktrader.examples.sma_cross import SmaCross

SMA_SOURCE = Path(sma_cross.__file__).read_text()  # the same strategy, as a user's file


class SignalSmaCross(ct.vectorized.SignalStrategy):
    """SmaCross declared as signals: the same trades, swept on the vectorized kernel."""

    params = dict(fast=10, slow=30)

    def signals(self):
        fast = ct.ind.SMA(self.data.close, self.p.fast)
        slow = ct.ind.SMA(self.data.close, self.p.slow)
        return ct.vectorized.Signals(fast > slow, fast < slow)


class EventSignalSmaCross(SignalSmaCross):
    """The same signals with a next() of its own: the vectorized planner leaves it to the event
    engine."""

    def next(self):
        super().next()


class Fragile(SmaCross):
    """Raises for one parameter value: that trial fails, the search goes on."""

    def init(self):
        if self.p.fast == 15:
            raise RuntimeError("fast=15 breaks me")
        super().init()


class Killer(SmaCross):
    """SIGKILLs the worker process running it with fast=15 (not the test's own process)."""

    params = dict(fast=10, slow=30, parent=0)

    def init(self):
        if self.p.fast == 15 and os.getpid() != self.p.parent:
            os.kill(os.getpid(), signal.SIGKILL)
        super().init()


class Direction(ct.Strategy):
    """Long or short from the first bar it may trade; `side` is what a search picks."""

    params = dict(side=1, warm=5)

    def init(self):
        self.sma = ct.ind.SMA(self.data.close, self.p.warm)

    def next(self):
        if not self.position:
            (self.buy if self.p.side > 0 else self.sell)()


def candles(n=3000, seed=7, bar_ms=3_600_000):
    return synthetic.ohlcv(n, seed=seed, bar_ms=bar_ms)


def table(result):
    """The table without the time each trial took (the one thing an executor may change)."""
    return [{k: v for k, v in row.items() if k != "seconds"} for row in result.table()]
