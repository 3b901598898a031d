"""Helpers for engine tests: candles from literal rows, and a strategy that follows a script."""

import cracktrader as ct

T0 = 1_700_000_040_000  # a minute boundary
MINUTE = 60_000


def candles(rows, t0=T0, step=MINUTE, timeframe="1m", symbol="X/USD"):
    """Candles from (open, high, low, close) rows (volume 1), one per `step` ms."""
    n = len(rows)
    return ct.Candles.from_columns(
        [t0 + k * step for k in range(n)], [r[0] for r in rows], [r[1] for r in rows],
        [r[2] for r in rows], [r[3] for r in rows], [1.0] * n, symbol=symbol, timeframe=timeframe,
    )


class Script(ct.Strategy):
    """Runs `plan[bar](self)` on that bar (bar = index of the first feed's current bar) and
    records every notification as (bar, kind, what)."""

    params = dict(plan=None)

    def init(self):
        self.log = []
        self.placed = {}

    def next(self):
        action = (self.p.plan or {}).get(len(self.data) - 1)
        if action:
            self.placed[len(self.data) - 1] = action(self)

    def notify_order(self, order):
        self.log.append((len(self.data) - 1, "order", order.id, order.status, order.price, order.rule))

    def notify_trade(self, trade):
        self.log.append((len(self.data) - 1, "trade", trade.id, trade.is_open, trade.pnl))


def run(rows, plan, **options):
    """(result, strategy) of the Script over literal rows."""
    options.setdefault("cash", 10_000)
    engine = ct.Engine(Script, candles(rows), params=dict(plan=plan), **options)
    engine.run()
    return engine.result(), engine.strategy


def filled(order):
    assert order.status == "filled", f"{order!r}: {order.reason}"
    return order.price
