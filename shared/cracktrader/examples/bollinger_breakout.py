import cracktrader as ct


class BollingerBreakout(ct.Strategy):
    """Follow a close outside the Bollinger bands, long or short; exit at the middle band."""

    params = dict(period=20, width=2.0)

    def init(self):
        self.bands = ct.ind.BBANDS(self.data.close, self.p.period, self.p.width, self.p.width)

    def next(self):
        close, bands = self.data.close[0], self.bands
        if not self.position:
            if close > bands.upper[0]:
                self.buy()
            elif close < bands.lower[0]:
                self.sell()
        elif self.position.size > 0 and close < bands.middle[0]:
            self.close()
        elif self.position.size < 0 and close > bands.middle[0]:
            self.close()
