"""Strategies shared by the engine's equivalence tests (batch vs live, CPython vs Pyodide).

This file is also sent as source to Pyodide, so it imports only cracktrader.
"""

import cracktrader as ct
from cracktrader.examples.sma_cross import SmaCross  # noqa: F401 - the shipped example, shared here


class Busy(ct.Strategy):
    """Every order type, both sides, brackets, cancels and notifications, driven by the data."""

    params = dict(n=8)

    def init(self):
        self.sma = ct.ind.SMA(self.data.close, self.p.n)
        self.cross = ct.ind.CrossOver(self.data.close, self.sma)
        self.spread = (self.data.high - self.data.low) / self.data.close
        self.events = []

    def next(self):
        c, bar = self.data.close[0], len(self.data)
        if self.cross[0] > 0 and not self.position:
            self.buy(percent=40, stop_loss=c * 0.985, take_profit=c * 1.02)
        elif self.cross[0] < 0 and not self.position:
            self.sell(size=3.5, limit=c * 1.002, stop_loss=c * 1.02, take_profit=c * 0.97)
        if bar % 17 == 0:
            self.buy(size=0.75, stop=c * 1.004, limit=c * 1.006, tif="IOC")
        if bar % 23 == 0 and self.position:
            self.sell(size=abs(self.position.size) / 2, trail_percent=1.5) if self.position.size > 0 else \
                self.buy(size=abs(self.position.size) / 2, trail=c * 0.01)
        if bar % 31 == 0:
            for order in self.orders:
                if order.type == "trailing_stop":
                    self.cancel(order)
        if bar % 97 == 0 and self.position:
            self.close()
        if bar % 41 == 0 or self.spread[0] > 0.03:
            self.sell(size=0)  # rejected: amount_not_positive

    def notify_order(self, order):
        self.events.append((len(self.data), order.id, order.status, order.price, order.rule))

    def notify_trade(self, trade):
        self.events.append((len(self.data), trade.id, trade.is_open, trade.pnl))


class TwoFeeds(ct.Strategy):
    """Trades the first feed on a fast SMA gated by the second (higher timeframe) feed's trend."""

    def init(self):
        self.fast = ct.ind.SMA(self.data0.close, 5)
        self.trend = ct.ind.SMA(self.data1.close, 3)
        self.last1 = 0

    def next(self):
        up = self.data1.close[0] > self.trend[0]
        if not self.position and up and self.data0.close[0] > self.fast[0]:
            self.buy(percent=50, stop_loss=self.data0.close[0] * 0.99)
        elif self.position and not up:
            self.close()
        n1, pos1 = len(self.data1), self.getposition(self.data1)
        if n1 != self.last1:  # a new bar of the second feed
            self.last1 = n1
            if not pos1 and n1 % 4 == 0:
                self.sell(data=self.data1, size=1.5, stop_loss=self.data1.close[0] * 1.003)
            elif pos1 and n1 % 4 == 2:
                self.close(data=self.data1)


class Oscillators(ct.Strategy):
    """Mean reversion on RSI and Bollinger bands with ATR stops, MACD as a trend filter."""

    def init(self):
        self.rsi = ct.ind.RSI(self.data)
        self.bb = ct.ind.BBANDS(self.data.close, 20)
        self.atr = ct.ind.ATR(self.data)
        self.macd = ct.ind.MACD(self.data)
        self.k = ct.ind.STOCH(self.data, 14, 3, 3).slowk

    def next(self):
        c = self.data.close[0]
        if not self.position:
            if self.rsi[0] < 35 and c < self.bb.lower[0] and self.macd.hist[0] > self.macd.hist[-1]:
                self.buy(percent=50, stop_loss=c - 2 * self.atr[0], take_profit=self.bb.middle[0])
            elif self.rsi[0] > 65 and c > self.bb.upper[0] and self.k[0] > 80:
                self.sell(percent=30, stop_loss=c + 2 * self.atr[0], take_profit=self.bb.middle[0])
