"""A 100-point grid of the SMA crossover (fast x slow) over one-minute bars: CrackTrader's
ct.optimize on one core and on all cores (the scaling), vectorbt's Portfolio.from_signals
over the same grid (one slow length x ten fast ones per call), and backtesting.py's
Backtest.optimize, in the same run, on the same candles; each finds its best point, whose trades
are compared with ours one by one. The contenders take turns, the order turning each round, and
each keeps its best time (the machine is shared).

Every engine trades 1 unit with market orders filled at the next bar's open, 0.1% commission.
The grid: fast 5..50 by 5, slow 60..240 by 20 (fast < slow everywhere). Our figures include
the statistics of every trial and the overfitting report; when the strategy qualifies for the
vectorized signal simulator (cracktrader.vectorized, when present) ct.optimize uses it and says so.

backtesting.py calls next() from one bar after the indicators' warm-up: when the slow average
is already below the fast one on the first bar both could trade, its first entry comes one bar
later than ours and vectorbt's (the other trades agree); its "Return [%]" can then rank another
point best, so its trades are compared at our best point (its own best is printed when it
differs).

usage: python bench/optimize.py [--bars N] [--repeat R] [--skip PEER ...]   (default: 1,000,000 bars, 3 rounds)
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


def ours(candles, jobs, strategy=SmaCross):
    """(seconds, best params, the best run's trades, the search's result)."""
    start = time.perf_counter()
    result = ct.optimize(strategy, candles, space=dict(fast=FASTS, slow=SLOWS), jobs=jobs, cash=CASH,
                         commission=COMMISSION, objective="total_return")
    result.overfitting  # the report is part of every sweep
    seconds = time.perf_counter() - start
    run = result.best_result()
    return seconds, result.best_params, [(t.entry_time, t.entry_price, t.exit_time, t.exit_price) for t in run.trades], \
        result


try:  # the issue "Vectorized signal backtests": the same crossover declared as signals
    import cracktrader.vectorized as _v
except ImportError:
    SignalSmaCross = None
else:
    class SignalSmaCross(_v.SignalStrategy):
        """SmaCross as signals: ct.optimize runs it on the vectorized kernel (and says so)."""

        params = dict(fast=10, slow=60)

        def signals(self):
            # numpy compares the columns (a line's `fast > slow` is a Python pass over every bar);
            # the SMA lines set the warm-up, NaN compares False
            import numpy as np

            fast = np.frombuffer(ct.ind.SMA(self.data.close, self.p.fast).values)
            slow = np.frombuffer(ct.ind.SMA(self.data.close, self.p.slow).values)
            return _v.Signals(fast > slow, fast < slow, size=1.0)


def _vectorbt_slow(df, fast, slow):
    """One slow length against every fast one (10 columns: vectorbt's broadcast over all 100
    columns of 1M bars needs ~10 GB): signals on bar i's close, filled at bar i+1's open
    (signals shifted one bar, price = open)."""
    import numpy as np
    import vectorbt as vbt

    f = fast
    s = np.repeat(slow[:, None], f.shape[1], axis=1)
    no = np.zeros((1, f.shape[1]), bool)
    entries, exits = np.vstack([no, (f > s)[:-1]]), np.vstack([no, (f < s)[:-1]])
    return vbt.Portfolio.from_signals(df.close, entries, exits, price=df.open.values[:, None], size=1.0,
                                      fees=COMMISSION, init_cash=CASH, freq="1min")


def _vectorbt_grid(df, times):
    """(best params, its trades): the grid's total returns chunk by chunk, the best column's
    trades read from the raw records (the readable ones label every column "close")."""
    import vectorbt as vbt

    fast = vbt.MA.run(df.close, FASTS).ma.values
    slow = vbt.MA.run(df.close, SLOWS).ma.values
    best = None
    for j, slow_n in enumerate(SLOWS):
        pf = _vectorbt_slow(df, fast, slow[:, j])
        returns = pf.total_return().values
        i = int(returns.argmax())
        if best is None or returns[i] > best[0]:
            records = pf.trades.values
            best = (returns[i], dict(fast=FASTS[i], slow=slow_n),
                    [(times[r["entry_idx"]], r["entry_price"], times[r["exit_idx"]], r["exit_price"])
                     for r in records[records["col"] == i] if r["status"] == 1])  # 1: closed
    return best[1], best[2]


def vectorbt(candles):
    df = frame(candles)
    _vectorbt_grid(df.iloc[:1000], candles.time)  # Numba compiles on the first call: not timed
    seconds, (best, trades) = timed(_vectorbt_grid, df, candles.time)
    return seconds, best, trades, None


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
        seconds, stats = timed(lambda: bt.optimize(fast=FASTS, slow=SLOWS, maximize="Return [%]"))
        its_best = dict(fast=int(stats._strategy.fast), slow=int(stats._strategy.slow))
        stats = bt.run(**best)  # the trades of our best point (its own best may differ: see the docstring)
    ms = lambda ts: round(ts.tz_localize(timezone.utc).timestamp() * 1000)  # noqa: E731
    trades = [(ms(r.EntryTime), r.EntryPrice, ms(r.ExitTime), r.ExitPrice) for r in stats._trades.itertuples()]
    return seconds, its_best, trades, None


def same(ours_, theirs):
    ok = sum(1 for a, b in zip(ours_, theirs) if a[0] == b[0] and a[2] == b[2]
             and abs(a[1] - b[1]) <= 1e-9 * abs(a[1]) and abs(a[3] - b[3]) <= 1e-9 * abs(a[3]))
    return f"{ok}/{len(theirs)}" + ("" if ok == len(theirs) == len(ours_) else " DIFFER")


def contenders(candles, cores, skip):
    """name -> a call returning (seconds, best params, the best point's trades, our search's
    result or None)."""
    known = {}  # our best point, from the first contender (which runs first in round 1)

    def sweep(strategy, jobs):
        def call():
            out = ours(candles, jobs, strategy)
            known.setdefault("best", out[1])
            return out
        return call

    out = {"cracktrader, 1 core": sweep(SmaCross, 1), f"cracktrader, {cores} cores": sweep(SmaCross, cores)}
    if SignalSmaCross is not None:
        out["cracktrader signals, 1 core"] = sweep(SignalSmaCross, 1)
        out[f"cracktrader signals, {cores} cores"] = sweep(SignalSmaCross, cores)
    if "vectorbt" not in skip:
        out["vectorbt from_signals"] = lambda: vectorbt(candles)
    if "backtesting" not in skip:
        out["backtesting.py optimize"] = lambda: backtesting_py(candles, known["best"])
    return out


def main(argv):
    os.environ.setdefault("TQDM_DISABLE", "1")  # backtesting.py's progress bars
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each contender's best time is kept")
    parser.add_argument("--skip", nargs="*", default=[], choices=("vectorbt", "backtesting"))
    args = parser.parse_args(argv)
    n, cores = args.bars, os.cpu_count() or 1
    candles = synthetic.ohlcv(n, seed=2024, step=0.004)
    points = len(FASTS) * len(SLOWS)
    runs = contenders(candles, cores, args.skip)
    names = list(runs)
    best_s, outcome = {}, {}
    for round_ in range(args.repeat):
        # the order turns each round: a shared machine's load drifts, no contender always runs first
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            seconds, *found = runs[name]()
            print(f"  round {round_ + 1}: {name} {seconds:.2f} s", file=sys.stderr, flush=True)
            best_s[name] = min(seconds, best_s.get(name, seconds))
            outcome.setdefault(name, found)
    best, trades, reference = outcome[names[0]]
    one_s = best_s[names[0]]
    print(f"\n{points}-point grid of the SMA crossover (fast {FASTS[0]}..{FASTS[-1]} x slow {SLOWS[0]}..{SLOWS[-1]}), "
          f"{n:,} one-minute bars, 1 unit per trade, {COMMISSION:.1%} commission; best {best}, {len(trades)} trades; "
          f"best of {args.repeat} rounds, contenders alternating")
    print(f"{'engine':<40} {'seconds':>9} {'bar-trials/s':>13} {'vs 1 core':>10}  best point's trades")
    for name in names:
        their_best, theirs, result = outcome[name]
        name_ = name
        if result is not None:  # ours: the same table on every executor and engine
            assert [r["stats"] for r in result.trials] == [r["stats"] for r in reference.trials], name
            name_ = f"{name} ({', '.join(result.engines)})"
        match = "-" if name == names[0] else same(trades, theirs)
        if their_best != best:
            match += f" (its best: {their_best})"
        print(f"{name_:<40} {best_s[name]:>9.2f} {points * n / best_s[name]:>13,.0f} {one_s / best_s[name]:>9.2f}x  "
              f"{match}")
    print(f"scaling on {cores} cores: {one_s / best_s[names[1]]:.2f}x (event engine)"
          + (f", {best_s[names[2]] / best_s[names[3]]:.2f}x (signals)" if SignalSmaCross is not None else ""))
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
