"""Vectorized signal backtests over 1M one-minute bars, in the same run on the same candles and
signals: one SMA(10)/SMA(30) crossover column, and a 100-column sweep (fast 5..50 by 5 x slow
60..240 by 20). Contenders:

- ours native: `ct.vectorized.backtest` (a Result with trades and statistics) and
  `ct.vectorized.sweep` (every column's statistics, the top 3 Results), on the PyO3 kernel; the
  kernel alone (`SignalSim.run`: equity, trades, orders, measures) as a second row;
- ours WASM: the same calls in Pyodide under Node, on the WASM kernel;
- vectorbt `Portfolio.from_signals` (signals shifted one bar and price = open: filled at the
  next bar's open like ours) with `sharpe_ratio()` over the portfolio (columns), same fees; the
  sweep in calls of 10 columns (`--vectorbt-chunk`): broadcast over 100 columns of 1M bars it
  needs about 10 GB here;
- our event engine: `ct.backtest(ArraySignals, ..., engine="event")` with the same signals (on the sweep, over
  two of its columns: its bars/s per column).

Every contender trades 1 unit per signal with 0.1% commission and takes the signals as arrays
(entries on the crossing bar, exits on the crossing back), computed once beforehand. bars/s
counts bar-columns. Peak memory is the most the process's resident memory rose during a
timed call (Linux: VmHWM reset through /proc/<pid>/clear_refs; the bench runs with glibc's
MALLOC_MMAP_THRESHOLD_ set, so freed blocks leave the process and each call's rise is its own);
for Pyodide, the Node process's. The trades of our best sweep column (by Sharpe) are compared with the event
engine's and vectorbt's, one by one.

Targets: native at least 1.5x vectorbt's bars/s on both, WASM within 2x of native.

usage: python bench/vectorized.py [--bars N] [--runs R] [--skip vectorbt|wasm|engine ...]
"""

import argparse
import gc
import os
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

    r = ct.backtest(ArraySignals, candles, params=dict(signals=Signals(*column)), engine="event", **SETTINGS)
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

    def stack(self, columns):
        """A chunk of sweep columns as 2-D (bars x columns) entries and exits."""
        np = self.np
        return np.column_stack([e for e, _ in columns]), np.column_stack([x for _, x in columns])

    def sweep(self, chunks, column):
        """Every chunk through from_signals; the closed trades of `column`."""
        trades, first = None, 0
        for entries, exits in chunks:
            pf = self.run(entries, exits)
            if first <= column < first + entries.shape[1]:
                trades = self.trades(pf, column - first)
            first += entries.shape[1]
            del pf
            gc.collect()  # a portfolio holds reference cycles: freed before the next call
        return trades

    def trades(self, pf, column=None):
        r = pf.trades.records
        if column is not None:
            r = r[r["col"] == column]
        r = r[r["status"] == 1]  # closed
        t = self.times
        return [(int(t[a]), float(p), int(t[b]), float(q)) for a, p, b, q in
                zip(r["entry_idx"], r["entry_price"], r["exit_idx"], r["exit_price"])]


class Board:
    """The contenders' turns: each one's best time, the most its memory rose, a note."""

    def __init__(self):
        self.rows = {}

    def turn(self, name, fn, *args, columns=1, pid="self", inner=False):
        """Times fn(*args) (`inner`: fn returns (seconds, out), timed where it ran); returns out."""
        with Peak(pid) as p:
            seconds, out = timed(fn, *args)
        if inner:
            seconds, out = out
        row = self.rows.setdefault(name, {"seconds": [], "columns": columns, "peak": None, "note": ""})
        row["seconds"].append(seconds)
        row["peak"] = p.mb if row["peak"] is None or p.mb is None else max(row["peak"], p.mb)
        return out

    def note(self, name, text):
        self.rows[name]["note"] = text

    def print(self, title, n, reference="vectorbt"):
        columns = max(r["columns"] for r in self.rows.values())
        print(f"\n{title}, {n:,} bars x {columns} column(s), 1 unit per trade, {COMMISSION:.1%} commission")
        print(f"{'contender':<30} {'seconds':>8} {'bars/s':>13} {'vs vectorbt':>12} {'peak MB':>8}  trades")
        rate = {name: n * r["columns"] / min(r["seconds"]) for name, r in self.rows.items()}
        for name, r in self.rows.items():
            ratio = f"{rate[name] / rate[reference]:.1f}x" if reference in rate and name != reference else ""
            mb = "" if r["peak"] is None else f"{r['peak']:,.0f}"
            print(f"{name:<30} {min(r['seconds']):>8.3f} {rate[name]:>13,.0f} {ratio:>12} {mb:>8}  {r['note']}")
        sys.stdout.flush()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vectorbt-chunk", type=int, default=10, help="columns per from_signals call in the sweep")
    parser.add_argument("--skip", nargs="*", default=[], choices=["vectorbt", "wasm", "engine"])
    args = parser.parse_args(argv)
    n, runs = args.bars, args.runs
    candles = synthetic.ohlcv(n, seed=SEED, step=STEP)
    single, grid = signals(candles)
    vbt = None if "vectorbt" in args.skip else Vectorbt(candles)
    pyodide = None if "wasm" in args.skip else start_pyodide(n)
    kernel = kernel_single(candles, single)
    engine = "engine" not in args.skip

    board = Board()  # one column: the contenders take turns, best of `runs`
    for _ in range(runs):
        ours = trades_of(board.turn("ours native", ours_single, candles, single))  # trades read after the clock
        board.turn("ours native, kernel only", kernel)
        if pyodide:
            wasm = board.turn("ours WASM (Pyodide)", pyodide.run, PYODIDE_SINGLE.format(settings=SETTINGS),
                              pid=pyodide.proc.pid, inner=True)
            board.note("ours WASM (Pyodide)", same([tuple(t) for t in wasm], ours))
        if vbt:
            board.note("vectorbt", same(vbt.trades(board.turn("vectorbt", vbt.run, *single)), ours))
    if engine:
        slow = board.turn("our event engine", engine_run, candles, single)
        board.note("ours native", f"{len(ours)} trades, {same(slow, ours)} with the event engine")
    board.print(f"SMA({FAST})/SMA({SLOW}) crossover", n)

    board, columns = Board(), len(grid)
    chunk = args.vectorbt_chunk
    chunks = [vbt.stack(grid[k:k + chunk]) for k in range(0, columns, chunk)] if vbt else []
    for _ in range(max(1, runs - 1)):
        sweep = board.turn("ours native", ours_sweep, candles, grid, columns=columns)
        top, top_trades = sweep.best[0][0], trades_of(sweep.best[0][1])
        board.note("ours native", f"best column {top}: {len(top_trades)} trades")
        del sweep
        if pyodide:
            wasm_top = board.turn("ours WASM (Pyodide)", pyodide.run, PYODIDE_SWEEP.format(settings=SETTINGS),
                                  columns=columns, pid=pyodide.proc.pid, inner=True)
            board.note("ours WASM (Pyodide)", f"best column {wasm_top}" + ("" if wasm_top == top else " DIFFERS"))
        if vbt:
            theirs = board.turn("vectorbt", vbt.sweep, chunks, top, columns=columns)
            board.note("vectorbt", f"best column: {same(theirs, top_trades)}"
                                   + (f" ({chunk} columns a call)" if chunk < columns else ""))
    if engine:
        slow = board.turn("our event engine (2 columns)", lambda: [engine_run(candles, grid[k]) for k in (top, top - 1)],
                          columns=2)
        board.note("our event engine (2 columns)", f"best column: {same(slow[0], top_trades)}")
    board.print(f"{len(FASTS)} x {len(SLOWS)} SMA crossover sweep", n)
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
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:  # large blocks back to the OS when freed
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072"})
    main(sys.argv[1:])
