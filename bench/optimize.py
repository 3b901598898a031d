"""A 100-point grid of the SMA crossover (fast x slow) over one-minute bars: CrackTrader's
ct.optimize on one core and on all cores (the scaling), vectorbt's broadcast
Portfolio.from_signals over the same grid, and backtesting.py's Backtest.optimize, in the same
run, on the same candles; the best point's trades compared one by one.

Every engine trades 1 unit with market orders filled at the next bar's open, 0.1% commission.
The grid: fast 5..50 by 5, slow 60..240 by 20 (fast < slow everywhere). Our figures include
the statistics of every trial and the overfitting report; when the strategy qualifies for the
vectorized signal simulator (cracktrader.vectorized, when present) ct.optimize uses it and says so.

backtesting.py calls next() from one bar after the indicators' warm-up: when the slow average
is already below the fast one on the first bar both could trade, its first entry comes one bar
later than ours and vectorbt's (the other trades agree).

usage: python bench/optimize.py [--bars N] [--skip PEER ...]   (default: 1,000,000 bars)
"""

import argparse
import os
import sys
import time
from datetime import timezone

import cracktrader as ct
from cracktrader import synthetic
from engine import SmaCross, frame, timed  # bench/engine.py: the same strategy, 1 unit per trade


FASTS = list(range(5, 55, 5))
SLOWS = list(range(60, 260, 20))
CASH, COMMISSION = 1_000_000.0, 0.001


def ours(candles, jobs):
    result = ct.optimize(SmaCross, candles, space=dict(fast=FASTS, slow=SLOWS), jobs=jobs, cash=CASH,
                         commission=COMMISSION, objective="total_return")
    result.overfitting  # the report is part of every sweep
    best = result.best_params
    trades = [(t.entry_time, t.entry_price, t.exit_time, t.exit_price)
              for t in ct.backtest(SmaCross, candles, params=best, cash=CASH, commission=COMMISSION).trades]
    return result, best, trades


def signal_strategy():
    """The same crossover declared as signals, when cracktrader.vectorized (the issue "Vectorized
    signal backtests") is present: ct.optimize then runs it on the kernel (and says so)."""
    try:
        import cracktrader.vectorized as v
    except ImportError:
        return None

    class SignalSmaCross(v.SignalStrategy):
        params = dict(fast=10, slow=60)

        def signals(self):
            fast = ct.ind.SMA(self.data.close, self.p.fast)
            slow = ct.ind.SMA(self.data.close, self.p.slow)
            return v.Signals(fast > slow, fast < slow, size=1.0)

    return SignalSmaCross


def ours_fast(candles, strategy, jobs):
    result = ct.optimize(strategy, candles, space=dict(fast=FASTS, slow=SLOWS), jobs=jobs, cash=CASH,
                         commission=COMMISSION, objective="total_return")
    result.overfitting
    run = result.best_result()
    return result, [(t.entry_time, t.entry_price, t.exit_time, t.exit_price) for t in run.trades]


def _vectorbt_grid(df):
    """The grid's portfolio: signals on bar i's close, filled at bar i+1's open (signals shifted
    one bar, price = open); column = slow index x 10 + fast index."""
    import numpy as np
    import vectorbt as vbt

    fast = vbt.MA.run(df.close, FASTS).ma.values
    slow = vbt.MA.run(df.close, SLOWS).ma.values
    f, s = np.tile(fast, (1, len(SLOWS))), np.repeat(slow, len(FASTS), axis=1)
    no = np.zeros((1, f.shape[1]), bool)
    entries, exits = np.vstack([no, (f > s)[:-1]]), np.vstack([no, (f < s)[:-1]])
    pf = vbt.Portfolio.from_signals(df.close, entries, exits, price=df.open.values[:, None], size=1.0,
                                    fees=COMMISSION, init_cash=CASH, freq="1min")
    pf.total_return()
    return pf


def vectorbt(candles, best):
    df = frame(candles)
    _vectorbt_grid(df.iloc[:1000])  # Numba compiles on the first call: not timed
    seconds, pf = timed(_vectorbt_grid, df)
    column = SLOWS.index(best["slow"]) * len(FASTS) + FASTS.index(best["fast"])
    records = pf.trades.values  # raw: column numbers, bar indexes (the readable ones label every column "close")
    times = candles.time
    trades = [(times[r["entry_idx"]], r["entry_price"], times[r["exit_idx"]], r["exit_price"])
              for r in records[records["col"] == column] if r["status"] == 1]  # 1: closed
    return seconds, trades, pf.wrapper.shape[1]


def _sma(values, n):
    import pandas as pd

    return pd.Series(values).rolling(n).mean()


def _backtesting_strategy():
    """backtesting.py's strategy, at module level: its optimize pickles it to its workers."""
    from backtesting import Strategy

    global BpSmaCross

    class BpSmaCross(Strategy):
        fast, slow = 10, 60

        def init(self):
            self.f = self.I(_sma, self.data.Close, self.fast)
            self.s = self.I(_sma, self.data.Close, self.slow)

        def next(self):
            if not self.position and self.f[-1] > self.s[-1]:
                self.buy(size=1)
            elif self.position and self.f[-1] < self.s[-1]:
                self.position.close()

    BpSmaCross.__qualname__ = "BpSmaCross"
    return BpSmaCross


def backtesting_py(candles, best):
    import warnings

    from backtesting import Backtest

    strategy = _backtesting_strategy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = Backtest(frame(candles, capitalized=True), strategy, cash=CASH, commission=COMMISSION)
        start = time.perf_counter()
        bt.optimize(fast=FASTS, slow=SLOWS, maximize="Return [%]")
        seconds = time.perf_counter() - start
        stats = bt.run(**best)
    ms = lambda ts: round(ts.tz_localize(timezone.utc).timestamp() * 1000)  # noqa: E731
    trades = [(ms(r.EntryTime), r.EntryPrice, ms(r.ExitTime), r.ExitPrice) for r in stats._trades.itertuples()]
    return seconds, trades


def same(ours_, theirs):
    ok = sum(1 for a, b in zip(ours_, theirs) if a[0] == b[0] and a[2] == b[2]
             and abs(a[1] - b[1]) <= 1e-9 * abs(a[1]) and abs(a[3] - b[3]) <= 1e-9 * abs(a[3]))
    return f"{ok}/{len(theirs)}" + ("" if ok == len(theirs) == len(ours_) else " DIFFER")


def main(argv):
    os.environ.setdefault("TQDM_DISABLE", "1")  # backtesting.py's progress bars
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--skip", nargs="*", default=[], choices=("vectorbt", "backtesting"))
    args = parser.parse_args(argv)
    n, cores = args.bars, os.cpu_count() or 1
    candles = synthetic.ohlcv(n, seed=2024, step=0.004)
    points = len(FASTS) * len(SLOWS)
    rows = []
    one_s, (result, best, trades) = timed(ours, candles, 1)
    all_s, (pooled, best_all, _) = timed(ours, candles, cores)
    assert best_all == best and [r["stats"] for r in pooled.trials] == [r["stats"] for r in result.trials]
    engine = ", ".join(result.engines)
    rows.append((f"cracktrader, 1 core ({engine})", one_s, "-"))
    rows.append((f"cracktrader, {cores} cores", all_s, "-"))
    fast_strategy = signal_strategy()
    if fast_strategy is not None:
        for jobs in (1, cores):
            seconds, (fast, fast_trades) = timed(ours_fast, candles, fast_strategy, jobs)
            assert fast.best_params == best, (fast.best_params, best)
            rows.append((f"cracktrader {', '.join(fast.engines)}, {jobs} core{'s' if jobs > 1 else ''}", seconds,
                         same(trades, fast_trades)))
    if "vectorbt" not in args.skip:
        seconds, vbt_trades, cols = vectorbt(candles, best)
        assert cols == points
        rows.append(("vectorbt from_signals", seconds, same(trades, vbt_trades)))
    if "backtesting" not in args.skip:
        seconds, bp_trades = backtesting_py(candles, best)
        rows.append(("backtesting.py optimize", seconds, same(trades, bp_trades)))
    print(f"\n{points}-point grid of the SMA crossover (fast {FASTS[0]}..{FASTS[-1]} x slow {SLOWS[0]}..{SLOWS[-1]}), "
          f"{n:,} one-minute bars, 1 unit per trade, {COMMISSION:.1%} commission; best {best}, {len(trades)} trades")
    print(f"{'engine':<34} {'seconds':>9} {'bar-trials/s':>13} {'vs 1 core':>10}  best point's trades")
    for name, seconds, match in rows:
        print(f"{name:<34} {seconds:>9.2f} {points * n / seconds:>13,.0f} {one_s / seconds:>9.2f}x  {match}")
    print(f"scaling on {cores} cores: {one_s / all_s:.2f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
