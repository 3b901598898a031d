"""Vectorized signal backtests over 1M one-minute bars, in the same run on the same candles and
signals: one SMA(10)/SMA(30) crossover column, and a 100-column sweep (fast 5..50 by 5 x slow
60..240 by 20). Contenders:

- ours native: `ct.vectorized.backtest` (a Result with trades and statistics) and
  `ct.vectorized.sweep` (every column's statistics, the top 3 Results), on the PyO3 kernel; the
  kernel alone (`SignalSim.run`: equity, trades, orders, measures) as a second row;
- ours WASM: the same calls in Pyodide under Node, on the WASM kernel;
- vectorbt `Portfolio.from_signals` (signals shifted one bar and price = open: filled at the
  next bar's open like ours) with `sharpe_ratio()` over the portfolio (columns), same fees;
- our event engine: `ct.backtest(ArraySignals, ...)` with the same signals (on the sweep, over
  two of its columns: its bars/s per column).

Every contender trades 1 unit per signal with 0.1% commission and takes the signals as arrays
(entries on the crossing bar, exits on the crossing back), computed once beforehand. bars/s
counts bar-columns. Peak memory is the most the process's resident memory rose during the
timed calls (Linux: VmHWM reset through /proc/<pid>/clear_refs), for Pyodide the Node
process's. The trades of our best sweep column (by Sharpe) are compared with the event
engine's and vectorbt's, one by one.

Targets: native at least 1.5x vectorbt's bars/s on both, WASM within 2x of native.

usage: python bench/vectorized.py [--bars N] [--runs R] [--skip vectorbt|wasm|engine ...]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "scripts")]

import cracktrader as ct  # noqa: E402
from cracktrader import synthetic  # noqa: E402

FAST, SLOW, CASH, COMMISSION = 10, 30, 1_000_000.0, 0.001
FASTS, SLOWS = list(range(5, 55, 5)), list(range(60, 260, 20))
SETTINGS = dict(cash=CASH, commission=COMMISSION, sizing=1.0)
SEED, STEP = 2024, 0.004

# Pyodide: the same candles and signals built there (synthetic series are the same bits), bytes
# 0/1 from the crossing kernels (whose warm-up is NaN: only +1.0 has 0x3F as its top byte), kept
# in a module for the timed calls (each call runs in a fresh namespace).
PYODIDE_SETUP = """
import sys, types
import cracktrader as ct
import cracktrader.kernels as k
from cracktrader import synthetic
ONE = bytes(0x01 if b == 0x3F else 0 for b in range(256))
def bits(col):
    return memoryview(bytes(memoryview(col).cast('B')[7::8]).translate(ONE))
data = synthetic.ohlcv({n}, seed={seed}, step={step})
sma = {{m: k.sma(data.close, m) for m in {windows}}}
def pair(f, s):
    return bits(k.crossover(sma[f], sma[s])), bits(k.crossunder(sma[f], sma[s]))
single = pair({fast}, {slow})
grid = [pair(f, s) for s in {slows} for f in {fasts}]
sys.modules["bench_inputs"] = types.SimpleNamespace(data=data, single=single, grid=grid)
result = len(grid)
"""
PYODIDE_SINGLE = """
import time
import cracktrader as ct
from bench_inputs import data, single
t = time.perf_counter()
r = ct.vectorized.backtest(data, *single, **{settings})
r.stats
seconds = time.perf_counter() - t
result = [seconds, [[t.entry_time, t.entry_price, t.exit_time, t.exit_price] for t in r.trades]]
"""
PYODIDE_SWEEP = """
import time
import cracktrader as ct
from bench_inputs import data, grid
t = time.perf_counter()
w = ct.vectorized.sweep(data, grid, top=3, objective="sharpe", **{settings})
result = [time.perf_counter() - t, w.best[0][0]]
"""


# --- memory ------------------------------------------------------------------------------------
def status(pid, key):
    """A /proc/<pid>/status figure in MB (None off Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Peak:
    """How far a process's resident memory rose during the block (MB)."""

    def __init__(self, pid="self"):
        self.pid, self.mb = pid, None

    def __enter__(self):
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        except OSError:
            pass
        self.before = status(self.pid, "VmRSS")
        return self

    def __exit__(self, *exc):
        high = status(self.pid, "VmHWM")
        self.mb = None if high is None or self.before is None else max(high - self.before, 0.0)


# --- inputs --------------------------------------------------------------------------------------
def signals(candles):
    """(single column, sweep columns): (entries, exits) numpy bool arrays."""
    import numpy as np

    import cracktrader.kernels as k

    sma = {m: k.sma(candles.close, m) for m in {FAST, SLOW, *FASTS, *SLOWS}}

    def pair(f, s):
        cross = [np.nan_to_num(np.frombuffer(x, dtype=float)) > 0 for x in (k.crossover(sma[f], sma[s]),
                                                                             k.crossunder(sma[f], sma[s]))]
        return tuple(cross)

    return pair(FAST, SLOW), [pair(f, s) for s in SLOWS for f in FASTS]


def trades_of(result):
    return [(t.entry_time, t.entry_price, t.exit_time, t.exit_price) for t in result.trades]


# --- contenders ----------------------------------------------------------------------------------
def ours_single(candles, single):
    r = ct.vectorized.backtest(candles, *single, **SETTINGS)
    r.stats
    return r


def kernel_single(candles, single):
    from cracktrader.backtest import prepare
    from cracktrader.vectorized import ArraySignals, Signals
    from cracktrader.vectorized.run import column_spec, simulator

    engine = prepare(ArraySignals, candles, params=dict(signals=Signals(*single)), **SETTINGS)
    sim, (spec, entries, exits) = simulator(engine), column_spec(engine)
    return lambda: sim.run(spec, entries, exits)


def ours_sweep(candles, grid):
    return ct.vectorized.sweep(candles, grid, top=3, objective="sharpe", **SETTINGS)


def engine_run(candles, column):
    from cracktrader.vectorized import ArraySignals, Signals

    r = ct.backtest(ArraySignals, candles, params=dict(signals=Signals(*column)), **SETTINGS)
    r.stats
    return trades_of(r)


class Vectorbt:
    def __init__(self, candles):
        import numpy as np
        import pandas as pd
        import vectorbt as vbt

        self.np, self.vbt = np, vbt
        index = pd.to_datetime(list(candles.time), unit="ms")
        self.close = pd.Series(np.asarray(candles.close), index=index)
        self.open = np.asarray(candles.open)
        self.times = np.asarray(candles.time)
        small = np.asarray(self.close[:200])
        two = np.column_stack([small > small.mean(), small < small.mean()])
        for e, x in ((two[:, 0], two[:, 1]), (two, two[:, ::-1])):  # compiled here, not in the timed calls
            self.run(e, x, self.close[:200], self.open[:200])

    def run(self, entries, exits, close=None, open=None):
        """Signals on bar i filled at bar i+1's open: shifted one bar, price = open."""
        np = self.np
        close, open = self.close if close is None else close, self.open if open is None else open
        shift = lambda x: np.concatenate([np.zeros((1, *x.shape[1:]), bool), x[:-1]])  # noqa: E731
        pf = self.vbt.Portfolio.from_signals(close, shift(entries), shift(exits), price=open[:, None]
                                             if entries.ndim == 2 else open, size=1.0, fees=COMMISSION,
                                             init_cash=CASH, freq="1min")
        pf.sharpe_ratio()
        return pf

    def trades(self, pf, column=None):
        r = pf.trades.records
        if column is not None:
            r = r[r["col"] == column]
        r = r[r["status"] == 1]  # closed
        t = self.times
        return [(int(t[a]), float(p), int(t[b]), float(q)) for a, p, b, q in
                zip(r["entry_idx"], r["entry_price"], r["exit_idx"], r["exit_price"])]


def best(results, key=lambda x: x[0]):
    return min(results, key=key)


def table(title, n, columns, rows, reference):
    print(f"\n{title}, {n:,} bars x {columns} column(s), 1 unit per trade, {COMMISSION:.1%} commission")
    print(f"{'contender':<30} {'seconds':>8} {'bars/s':>13} {'vs vectorbt':>12} {'peak MB':>8}  trades")
    base = rows.get(reference)
    for name, (seconds, cols, peak, note) in rows.items():
        rate = n * cols / seconds
        ratio = f"{rate / (n * base[1] / base[0]):.1f}x" if base and name != reference else ""
        mb = "" if peak is None else f"{peak:,.0f}"
        print(f"{name:<30} {seconds:>8.3f} {rate:>13,.0f} {ratio:>12} {mb:>8}  {note}")
    sys.stdout.flush()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip", nargs="*", default=[], choices=["vectorbt", "wasm", "engine"])
    args = parser.parse_args(argv)
    n, runs = args.bars, args.runs
    candles = synthetic.ohlcv(n, seed=SEED, step=STEP)
    single, grid = signals(candles)
    vbt = None if "vectorbt" in args.skip else Vectorbt(candles)
    pyodide = None if "wasm" in args.skip else start_pyodide(n)
    kernel = kernel_single(candles, single)
    engine_trades = None if "engine" in args.skip else engine_run(candles, single)

    # --- one column: contenders take turns, best of `runs`
    times = {name: [] for name in ("ours native", "ours native, kernel only", "ours WASM (Pyodide)", "vectorbt")}
    peaks, notes = {}, {}
    for _ in range(runs):
        with Peak() as p:
            seconds, ours = timed(ours_single, candles, single)
        ours = trades_of(ours)  # read after the clock: vectorbt's records are not read either
        times["ours native"].append(seconds)
        peaks["ours native"] = p.mb
        with Peak() as p:
            times["ours native, kernel only"].append(timed(kernel)[0])
        peaks["ours native, kernel only"] = p.mb
        if pyodide:
            with Peak(pyodide.proc.pid) as p:
                seconds, wasm_trades = pyodide.run(PYODIDE_SINGLE.format(settings=SETTINGS))
            times["ours WASM (Pyodide)"].append(seconds)
            peaks["ours WASM (Pyodide)"] = p.mb
            notes["ours WASM (Pyodide)"] = same([tuple(t) for t in wasm_trades], ours)
        if vbt:
            with Peak() as p:
                seconds, pf = timed(vbt.run, *single)
            times["vectorbt"].append(seconds)
            peaks["vectorbt"] = p.mb
            notes["vectorbt"] = same(vbt.trades(pf), ours)
    notes["ours native"] = f"{len(ours)} trades" + (f", {same(engine_trades, ours)} with the event engine"
                                                   if engine_trades is not None else "")
    rows = {name: (min(t), 1, peaks.get(name), notes.get(name, "")) for name, t in times.items() if t}
    if engine_trades is not None:
        with Peak() as p:
            seconds, _ = timed(engine_run, candles, single)
        rows["our event engine"] = (seconds, 1, p.mb, "")
    table(f"SMA({FAST})/SMA({SLOW}) crossover", n, 1, rows, "vectorbt")

    # --- the sweep
    times = {name: [] for name in ("ours native", "ours WASM (Pyodide)", "vectorbt")}
    peaks, notes = {}, {}
    for _ in range(max(1, runs - 1)):
        with Peak() as p:
            seconds, sweep = timed(ours_sweep, candles, grid)
        top, top_trades = sweep.best[0][0], trades_of(sweep.best[0][1])
        del sweep
        times["ours native"].append(seconds)
        peaks["ours native"] = p.mb
        if pyodide:
            with Peak(pyodide.proc.pid) as p:
                seconds, wasm_top = pyodide.run(PYODIDE_SWEEP.format(settings=SETTINGS))
            times["ours WASM (Pyodide)"].append(seconds)
            peaks["ours WASM (Pyodide)"] = p.mb
            notes["ours WASM (Pyodide)"] = f"best column {wasm_top}" + ("" if wasm_top == top else " DIFFERS")
        if vbt:
            import numpy as np

            entries = np.column_stack([e for e, _ in grid])
            exits = np.column_stack([x for _, x in grid])
            with Peak() as p:
                seconds, pf = timed(vbt.run, entries, exits)
            times["vectorbt"].append(seconds)
            peaks["vectorbt"] = p.mb
            notes["vectorbt"] = f"best column: {same(vbt.trades(pf, top), top_trades)}"
            del entries, exits, pf
    notes["ours native"] = f"best column {top}: {len(top_trades)} trades"
    rows = {name: (min(t), len(grid), peaks.get(name), notes.get(name, "")) for name, t in times.items() if t}
    if "engine" not in args.skip:
        with Peak() as p:
            seconds, slow_trades = timed(lambda: [engine_run(candles, grid[k]) for k in (top, (top + 1) % len(grid))])
        rows["our event engine (2 columns)"] = (seconds, 2, p.mb, f"best column: {same(slow_trades[0], top_trades)}")
    table(f"{len(FASTS)} x {len(SLOWS)} SMA crossover sweep", n, len(grid), rows, "vectorbt")
    if pyodide:
        pyodide.close()


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def same(theirs, ours):
    """"a/b same": trades that agree (entry and exit time exactly, prices to 1e-12)."""
    ok = sum(1 for a, b in zip(ours, theirs) if a[0] == b[0] and a[2] == b[2]
             and abs(a[1] - b[1]) <= 1e-12 * abs(a[1]) and abs(a[3] - b[3]) <= 1e-12 * abs(a[3]))
    tag = "" if ok == len(ours) == len(theirs) else " DIFFER"
    return f"{ok}/{len(ours)} same{tag}"


def start_pyodide(n):
    import build_core_wheel
    from support.pyodide import Pyodide

    runtime = Pyodide(build_core_wheel.build(Path(tempfile.mkdtemp(prefix="ct-bench-vec-"))))
    windows = sorted({FAST, SLOW, *FASTS, *SLOWS})
    assert runtime.run(PYODIDE_SETUP.format(n=n, seed=SEED, step=STEP, windows=windows, fast=FAST, slow=SLOW,
                                            fasts=FASTS, slows=SLOWS)) == len(FASTS) * len(SLOWS)
    runtime.run(PYODIDE_SINGLE.format(settings=SETTINGS))  # warm up (first calls load modules)
    return runtime


if __name__ == "__main__":
    main(sys.argv[1:])
