import cracktrader as ct


class SmaCross(ct.Strategy):
    """Long while the fast moving average is above the slow one."""

    params = dict(fast=10, slow=30)

    def init(self):
        self.fast = ct.ind.SMA(self.data.close, self.p.fast)
        self.slow = ct.ind.SMA(self.data.close, self.p.slow)

    def next(self):
        if not self.position and self.fast[0] > self.slow[0]:
            self.buy()
        elif self.position and self.fast[0] < self.slow[0]:
            self.close()
