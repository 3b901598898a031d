import cracktrader as ct


class AtrBracket(ct.Strategy):
    """Enter on a breakout above the previous channel high with a bracket order: a stop-loss
    and a take-profit set from the ATR, which cancel each other when one fills."""

    params = dict(channel=20, atr=14, stop=2.0, target=3.0)

    def init(self):
        self.channel = ct.ind.DONCHIAN(self.data.high, self.data.low, self.p.channel)
        self.atr = ct.ind.ATR(self.data, self.p.atr)

    def next(self):
        if self.position or self.orders:
            return
        close, atr = self.data.close[0], self.atr[0]
        if close > self.channel.upper[-1]:
            self.buy(stop_loss=close - self.p.stop * atr, take_profit=close + self.p.target * atr)
