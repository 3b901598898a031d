"""Indicator kernels: native (PyO3) against TA-Lib and pandas, and WASM (Pyodide under Node)
against native, in one run on the same data, at 1M and 5M float64 values.

Every time is the best of a few runs of the full call as a user makes it, output allocation
included: numpy arrays in for native/TA-Lib/pandas, array('d') in Pyodide (copied into WASM
memory and back, ~0.6 ms per million values each way; "kernel" is the kernel alone, its inputs
and outputs already in WASM memory).
Ratios above 1 mean CrackTrader is faster. TA-Lib's parameters are passed explicitly.

usage: python bench/kernels_indicators.py [--sizes 1000000,5000000] [--only sma,rsi] [--repeat N] [--no-wasm]
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

# numpy's OpenBLAS threads spin between calls and steal a core from whichever contender runs
# next on this 2-core machine; none of the contenders uses BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd
import talib

import cracktrader.kernels as k

ROOT = Path(__file__).resolve().parents[1]
SMA = 0

# name, inputs, params, TA-Lib call, pandas equivalent (rolling/ewm) or None
CASES = [
    ("sma", "x", (20,), lambda d: talib.SMA(d["x"], 20), lambda s: s["x"].rolling(20).mean()),
    ("ema", "x", (20,), lambda d: talib.EMA(d["x"], 20), lambda s: s["x"].ewm(span=20, adjust=False).mean()),
    ("wma", "x", (20,), lambda d: talib.WMA(d["x"], 20), None),
    ("dema", "x", (20,), lambda d: talib.DEMA(d["x"], 20), None),
    ("tema", "x", (20,), lambda d: talib.TEMA(d["x"], 20), None),
    ("trima", "x", (20,), lambda d: talib.TRIMA(d["x"], 20), None),
    ("kama", "x", (20,), lambda d: talib.KAMA(d["x"], 20), None),
    ("smma", "x", (14,), None, lambda s: s["x"].ewm(alpha=1 / 14, adjust=False).mean()),
    ("trix", "x", (15,), lambda d: talib.TRIX(d["x"], 15), None),
    ("rsi", "x", (14,), lambda d: talib.RSI(d["x"], 14), None),
    ("macd", "x", (12, 26, 9), lambda d: talib.MACD(d["x"], 12, 26, 9), None),
    ("stoch", "hlc", (14, 3, 3), lambda d: talib.STOCH(d["high"], d["low"], d["close"], 14, 3, SMA, 3, SMA), None),
    ("stochf", "hlc", (14, 3), lambda d: talib.STOCHF(d["high"], d["low"], d["close"], 14, 3, SMA), None),
    ("stochrsi", "x", (14, 14, 3), lambda d: talib.STOCHRSI(d["x"], 14, 14, 3, SMA), None),
    ("cci", "hlc", (20,), lambda d: talib.CCI(d["high"], d["low"], d["close"], 20), None),
    ("willr", "hlc", (14,), lambda d: talib.WILLR(d["high"], d["low"], d["close"], 14), None),
    ("mom", "x", (10,), lambda d: talib.MOM(d["x"], 10), lambda s: s["x"].diff(10)),
    ("roc", "x", (10,), lambda d: talib.ROC(d["x"], 10), lambda s: s["x"].pct_change(10) * 100),
    ("rocp", "x", (10,), lambda d: talib.ROCP(d["x"], 10), lambda s: s["x"].pct_change(10)),
    ("ultosc", "hlc", (7, 14, 28), lambda d: talib.ULTOSC(d["high"], d["low"], d["close"], 7, 14, 28), None),
    ("aroon", "hl", (14,), lambda d: talib.AROON(d["high"], d["low"], 14), None),
    ("aroonosc", "hl", (14,), lambda d: talib.AROONOSC(d["high"], d["low"], 14), None),
    ("adx", "hlc", (14,), lambda d: talib.ADX(d["high"], d["low"], d["close"], 14), None),
    ("adxr", "hlc", (14,), lambda d: talib.ADXR(d["high"], d["low"], d["close"], 14), None),
    ("plus_di", "hlc", (14,), lambda d: talib.PLUS_DI(d["high"], d["low"], d["close"], 14), None),
    ("minus_di", "hlc", (14,), lambda d: talib.MINUS_DI(d["high"], d["low"], d["close"], 14), None),
    ("sar", "hl", (0.02, 0.2), lambda d: talib.SAR(d["high"], d["low"], 0.02, 0.2), None),
    ("linearreg_slope", "x", (14,), lambda d: talib.LINEARREG_SLOPE(d["x"], 14), None),
    ("bbands", "x", (20, 2.0, 2.0), lambda d: talib.BBANDS(d["x"], 20, 2.0, 2.0, SMA),
     lambda s: (lambda m, sd: (m + 2 * sd, m, m - 2 * sd))(s["x"].rolling(20).mean(), s["x"].rolling(20).std(ddof=0))),
    ("stddev", "x", (20, 1.0), lambda d: talib.STDDEV(d["x"], 20, 1.0), lambda s: s["x"].rolling(20).std(ddof=0)),
    ("trange", "hlc", (), lambda d: talib.TRANGE(d["high"], d["low"], d["close"]), None),
    ("atr", "hlc", (14,), lambda d: talib.ATR(d["high"], d["low"], d["close"], 14), None),
    ("natr", "hlc", (14,), lambda d: talib.NATR(d["high"], d["low"], d["close"], 14), None),
    ("donchian", "hl", (20,), None, lambda s: (s["high"].rolling(20).max(), s["low"].rolling(20).min())),
    ("keltner", "hlc", (20, 2.0, 10), None, None),
    ("obv", "cv", (), lambda d: talib.OBV(d["close"], d["volume"]), None),
    ("mfi", "hlcv", (14,), lambda d: talib.MFI(d["high"], d["low"], d["close"], d["volume"], 14), None),
    ("vwap", "hlcv", (20,), None, None),
    ("max", "x", (20,), lambda d: talib.MAX(d["x"], 20), lambda s: s["x"].rolling(20).max()),
    ("min", "x", (20,), lambda d: talib.MIN(d["x"], 20), lambda s: s["x"].rolling(20).min()),
    ("sum", "x", (20,), lambda d: talib.SUM(d["x"], 20), lambda s: s["x"].rolling(20).sum()),
    ("crossover", "ab", (), None, None),
    ("crossunder", "ab", (), None, None),
]
COLUMNS = {"x": ["x"], "hlc": ["high", "low", "close"], "hl": ["high", "low"], "cv": ["close", "volume"],
           "hlcv": ["high", "low", "close", "volume"], "ab": ["close", "open"]}

# The same bars natively and in Pyodide: a 100k-bar random walk (IEEE arithmetic only), tiled.
DATA_CODE = """
import random
from array import array

def bars(size, block=100_000):
    rng = random.Random(42)
    cols = {name: array('d') for name in ("open", "high", "low", "close", "volume")}
    price = 100.0
    for _ in range(block):
        prev = price
        price *= 1.0 + (rng.random() - 0.5) * 0.02
        cols["open"].append(prev)
        cols["high"].append(max(prev, price) * (1.0 + rng.random() * 0.005))
        cols["low"].append(min(prev, price) * (1.0 - rng.random() * 0.005))
        cols["close"].append(price)
        cols["volume"].append(1.0 + rng.random() * 1000.0)
    reps = -(-size // block)
    out = {name: (col * reps)[:size] for name, col in cols.items()}
    out["x"] = out["close"]
    return out
"""
exec(DATA_CODE)


def best_of(contenders, repeat):
    """The best time (ms) of each contender, taking turns so load from elsewhere on the
    machine hits them alike."""
    times = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: min(t) * 1e3 for name, t in times.items()}


def native_times(size, repeat, cases):
    data = {name: np.frombuffer(col, dtype=np.float64).copy() for name, col in bars(size).items()}
    frame = pd.DataFrame(data)
    rows = {}
    for name, kind, params, ta, pandas in cases:
        args = [data[c] for c in COLUMNS[kind]]
        contenders = {"native": lambda: getattr(k, name)(*args, *params)}
        if ta:
            contenders["talib"] = lambda: ta(data)
        if pandas:
            contenders["pandas"] = lambda: pandas(frame)
        rows[name] = best_of(contenders, repeat)
    return rows


WASM_CODE = """
import json, time
from array import array
import cracktrader.kernels as k
import _cracktrader_wasm as js
from js import Float64Array
data = bars(SIZE)
result = {}
for name, columns, params in json.loads(CASES):
    args = [data[c] for c in columns]
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter(); getattr(k, name)(*args, *params); times.append(time.perf_counter() - t0)
    # The kernel alone: inputs already in WASM memory, outputs left there.
    out = getattr(k, name)(*args, *params)
    n_out = len(out) if isinstance(out, tuple) else 1
    ptrs = [js.alloc_f64(SIZE) for _ in range(len(args) + n_out)]
    memory = js.wasm_memory().buffer
    for ptr, col in zip(ptrs, args):
        Float64Array.new(memory, ptr, SIZE).assign(col)
    fn = getattr(js, name)
    kernel = []
    for _ in range(REPEAT):
        t0 = time.perf_counter(); fn(*ptrs[:len(args)], SIZE, *ptrs[len(args):], *params); kernel.append(time.perf_counter() - t0)
    for ptr in ptrs:
        js.free_f64(ptr, SIZE)
    result[name] = {"wasm": min(times) * 1e3, "wasm_kernel": min(kernel) * 1e3}
"""


def wasm_times(size, repeat, cases):
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "scripts")]
    import build_core_wheel
    from support.pyodide import Pyodide

    with tempfile.TemporaryDirectory() as tmp:
        runtime = Pyodide(build_core_wheel.build(Path(tmp)))
        try:
            cases = json.dumps([(name, COLUMNS[kind], list(params)) for name, kind, params, _, _ in cases])
            code = DATA_CODE + f"SIZE = {size}\nREPEAT = {repeat}\nCASES = {cases!r}\n" + WASM_CODE
            return runtime.run(code)
        finally:
            runtime.close()


def ratio(slow, fast):
    return f"{slow / fast:5.2f}x" if slow and fast else ""


def table(size, native, wasm):
    head = (f"{'indicator':16} {'native':>8} {'TA-Lib':>8} {'vs TA-Lib':>9} {'pandas':>8} {'vs pandas':>9} "
            f"{'wasm':>8} {'wasm/nat':>8} {'kernel':>8} {'kern/nat':>8}")
    print(f"\n{size:,} values (ms, best of runs)\n{head}\n{'-' * len(head)}")
    for name, row in native.items():
        w = wasm.get(name, {})
        cells = [
            f"{name:16}",
            f"{row['native']:8.2f}",
            f"{row['talib']:8.2f}" if "talib" in row else f"{'':8}",
            f"{ratio(row.get('talib'), row['native']):>9}",
            f"{row['pandas']:8.2f}" if "pandas" in row else f"{'':8}",
            f"{ratio(row.get('pandas'), row['native']):>9}",
            f"{w['wasm']:8.2f}" if w else f"{'':8}",
            f"{w['wasm'] / row['native']:7.2f}x" if w else f"{'':8}",
            f"{w['wasm_kernel']:8.2f}" if w else f"{'':8}",
            f"{w['wasm_kernel'] / row['native']:7.2f}x" if w else "",
        ]
        print(" ".join(cells))
    slower = [name for name, row in native.items() if "talib" in row and row["talib"] < row["native"]]
    print(f"native slower than TA-Lib on: {', '.join(slower) or 'none'}")
    if wasm:
        for what, key in (("the full call", "wasm"), ("the kernel alone", "wasm_kernel")):
            over = [name for name in native if name in wasm and wasm[name][key] > 2 * native[name]["native"]]
            print(f"WASM more than 2x native ({what}) on: {', '.join(over) or 'none'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--only", help="comma-separated indicator names (default: all)")
    parser.add_argument("--repeat", type=int, help="runs per contender (default: 9 at 1M or less, 5 above)")
    parser.add_argument("--no-wasm", action="store_true")
    args = parser.parse_args()
    cases = CASES
    if args.only:
        names = args.only.split(",")
        unknown = set(names) - {case[0] for case in CASES}
        if unknown:
            parser.error(f"unknown indicators: {', '.join(sorted(unknown))}")
        cases = [case for case in CASES if case[0] in names]
    for size in [int(s) for s in args.sizes.split(",")]:
        repeat = args.repeat or (9 if size <= 1_000_000 else 5)
        native = native_times(size, repeat, cases)
        wasm = {} if args.no_wasm else wasm_times(size, repeat, cases)
        table(size, native, wasm)


if __name__ == "__main__":
    main()
