import cracktrader as ct


class RsiReversion(ct.Strategy):
    """Buy oversold dips while the long-term trend is up; sell once the RSI has recovered."""

    params = dict(period=14, oversold=30, recovered=55, trend=200)

    def init(self):
        self.rsi = ct.ind.RSI(self.data.close, self.p.period)
        self.trend = ct.ind.EMA(self.data.close, self.p.trend)

    def next(self):
        if not self.position:
            if self.rsi[0] < self.p.oversold and self.data.close[0] > self.trend[0]:
                self.buy()
        elif self.rsi[0] > self.p.recovered:
            self.close()
