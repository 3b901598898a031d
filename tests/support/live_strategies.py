"""Strategies of the live tests. A session keeps its strategy's source file and runs it again on
restart: this file imports only cracktrader."""

import cracktrader as ct


class Cross(ct.Strategy):
    """Market orders on an SMA crossing; a limit entry with `limit_bp` > 0 (basis points under the
    close), canceled after `patience` bars. Trades from the bar at `start` (UTC ms) on, and
    records what notify_order shows: (bar, side, status, filled, price, commission)."""

    params = dict(fast=3, slow=8, start=0, limit_bp=0.0, patience=4, size=0.0)

    def init(self):
        self.fast = ct.ind.SMA(self.data.close, self.p.fast)
        self.slow = ct.ind.SMA(self.data.close, self.p.slow)
        self.seen = []
        self.placed = None

    def next(self):
        if self.data.time[0] < self.p.start:
            return
        size = {"size": self.p.size} if self.p.size else {}
        if self.orders:
            if self.placed is not None and len(self.data) - self.placed >= self.p.patience:
                for order in self.orders:
                    self.cancel(order)
            return
        if not self.position and self.fast[0] > self.slow[0]:
            if self.p.limit_bp:
                self.buy(limit=self.data.close[0] * (1 - self.p.limit_bp / 10_000), **size)
            else:
                self.buy(**size)
            self.placed = len(self.data)
        elif self.position and self.fast[0] < self.slow[0]:
            self.close()
            self.placed = len(self.data)

    def notify_order(self, order):
        self.seen.append((len(self.data), order.side, order.status, order.filled, order.price, order.commission))


class Every(ct.Strategy):
    """Buys `size` at market every `every` bars and sells it `hold` bars later; prints a line a bar."""

    params = dict(size=0.001, every=2, hold=1, stop_loss=0.0)

    def init(self):
        self.bought = None

    def next(self):
        n = len(self.data)
        print(f"bar {n} close {self.data.close[0]} position {self.position.size:g}")
        if not self.position and not self.orders and n % self.p.every == 0:
            sl = {"stop_loss": self.data.close[0] * (1 - self.p.stop_loss)} if self.p.stop_loss else {}
            self.buy(size=self.p.size, **sl)
            self.bought = n
        elif self.position and self.bought is not None and n - self.bought >= self.p.hold:
            self.close()


class Resting(ct.Strategy):
    """On its first bar: a buy limit far under the market (it never fills) and a market buy;
    with `cancel_after`, cancels the limit that many bars later."""

    params = dict(size=0.001, below=0.2, market=True, cancel_after=0)

    def init(self):
        self.first = None
        self.limit = None

    def next(self):
        if self.first is None:
            self.first = len(self.data)
            self.limit = self.buy(size=self.p.size, limit=self.data.close[0] * (1 - self.p.below))
            if self.p.market:
                self.buy(size=self.p.size)
        elif self.p.cancel_after and len(self.data) - self.first == self.p.cancel_after:
            self.cancel(self.limit)


class Bracket(ct.Strategy):
    """On its first bar: a market buy with a stop-loss `sl` and a take-profit `tp` (fractions of
    the close); with `trail`, a trailing stop (percent) instead of the bracket's exits."""

    params = dict(size=0.001, sl=0.0005, tp=0.02, trail=0.0)

    def init(self):
        self.entry = None

    def next(self):
        if self.entry is None:
            c = self.data.close[0]
            if self.p.trail:
                self.entry = self.buy(size=self.p.size)
            else:
                self.entry = self.buy(size=self.p.size, stop_loss=c * (1 - self.p.sl), take_profit=c * (1 + self.p.tp))
        elif self.p.trail and self.position and not self.orders:
            self.sell(size=self.position.size, trail_percent=self.p.trail)
