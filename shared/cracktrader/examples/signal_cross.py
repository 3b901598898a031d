import cracktrader as ct


class SignalCross(ct.vectorized.SignalStrategy):
    """Long and short on an EMA crossing, declared as signals with a trailing stop: it runs on
    the vectorized kernel, with the same trades as bar by bar."""

    params = dict(fast=12, slow=48, trail=0.03)

    def init(self):
        self.fast = ct.ind.EMA(self.data.close, self.p.fast)
        self.slow = ct.ind.EMA(self.data.close, self.p.slow)
        super().init()  # evaluates signals()

    def signals(self):
        up, down = ct.ind.CROSSOVER(self.fast, self.slow), ct.ind.CROSSUNDER(self.fast, self.slow)
        return ct.vectorized.Signals(up - down, direction="both", trail_stop=self.p.trail)
