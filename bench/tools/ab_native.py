"""Two builds of the native kernels (cracktrader._native) against each other and TA-Lib, in one
process, calls taking turns: how a kernel change moves speed, on a machine where single bench
runs drift 5-10% and small source edits can move a kernel's code by 20%.

Build the baseline, keep a copy of its extension, build the change, then:

    cp shared/cracktrader/_native.abi3.so /tmp/before.so     # on the baseline
    make setup                                                # with the change
    python bench/tools/ab_native.py /tmp/before.so shared/cracktrader/_native.abi3.so --only kama,atr

B/A is B's time over A's (below 1: B is faster); TA/A and TA/B are TA-Lib's time over each
build's (above 1: ours is faster), as in bench/kernels_indicators.py.

usage: python bench/tools/ab_native.py A.so B.so [--only sma,rsi] [--size 1000000] [--repeat 40]
"""

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as in kernels_indicators.py

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: the cases and data
from kernels_indicators import CASES, COLUMNS, bars  # noqa: E402


def load(path):
    """The extension at `path` as a module of its own (two builds can live side by side)."""
    spec = importlib.util.spec_from_file_location("cracktrader._native", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--only", help="comma-separated indicator names (default: all)")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    builds = {"A": load(args.a), "B": load(args.b)}
    names = args.only.split(",") if args.only else [case[0] for case in CASES]
    cases = {case[0]: case for case in CASES}
    data = {name: np.frombuffer(col, dtype=np.float64).copy() for name, col in bars(args.size).items()}
    print(f"{args.size:,} values, best of {args.repeat} (ms)")
    print(f"{'indicator':16} {'A':>8} {'B':>8} {'TA-Lib':>8} {'B/A':>6} {'TA/A':>6} {'TA/B':>6}")
    for name in names:
        _, kind, params, ta, _ = cases[name]
        inputs = [data[c] for c in COLUMNS[kind]]
        contenders = {key: (lambda m=m: getattr(m, name)(*inputs, *params)) for key, m in builds.items()}
        if ta:
            contenders["TA-Lib"] = lambda: ta(data)
        times = {key: [] for key in contenders}
        for _ in range(args.repeat):
            for key, fn in contenders.items():
                t0 = time.perf_counter()
                fn()
                times[key].append(time.perf_counter() - t0)
        best = {key: min(t) * 1e3 for key, t in times.items()}
        ta_ms = best.get("TA-Lib")
        cells = [f"{name:16}", f"{best['A']:8.3f}", f"{best['B']:8.3f}", f"{ta_ms:8.3f}" if ta_ms else f"{'':8}",
                 f"{best['B'] / best['A']:6.2f}",
                 f"{ta_ms / best['A']:6.2f}" if ta_ms else "", f"{ta_ms / best['B']:6.2f}" if ta_ms else ""]
        print(" ".join(cells), flush=True)


if __name__ == "__main__":
    main()
