"""Whether two builds of the native kernels (cracktrader._native) give the same bits: every
indicator of bench/kernels_indicators.py on its bars, whole and cut short, and on a copy with
NaN gaps and a flat stretch (the restart and flat-window paths). The check behind "results
must not change" for a kernel change that should only move speed.

    cp shared/cracktrader/_native.*.so /tmp/before.so     # on the baseline
    make setup                                             # with the change
    python bench/tools/same_bits.py /tmp/before.so shared/cracktrader/_native.*.so

usage: python bench/tools/same_bits.py A.so B.so [--size 300007]
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: the cases and data
from kernels_indicators import CASES, COLUMNS, bars  # noqa: E402
from tools.ab_native import load  # noqa: E402


def outputs(module, name, inputs, params):
    out = getattr(module, name)(*inputs, *params)
    return [np.asarray(o).view(np.uint64) for o in (out if isinstance(out, tuple) else (out,))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--size", type=int, default=300_007)
    args = parser.parse_args()
    a, b = load(args.a), load(args.b)
    clean = {k: np.frombuffer(v, dtype=np.float64).copy() for k, v in bars(args.size).items()}
    gappy = {k: v.copy() for k, v in clean.items()}
    rng = np.random.default_rng(1)
    for column in gappy.values():
        column[rng.integers(0, args.size, 40)] = np.nan
        column[1000:1100] = column[1000]
    differences = 0
    for name, kind, params, _, _ in CASES:
        for label, data in (("clean", clean), ("gaps", gappy)):
            for cut in (args.size, 1001, 77):
                inputs = [data[c][:cut] for c in COLUMNS[kind]]
                for k, (u, v) in enumerate(zip(outputs(a, name, inputs, params), outputs(b, name, inputs, params))):
                    if not np.array_equal(u, v):
                        differences += 1
                        at = np.flatnonzero(u != v)
                        print(f"{name} output {k}, {label}, {cut:,} values: {len(at)} differ, first at {at[0]}")
    print("same bits on every kernel" if not differences else f"{differences} outputs differ")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
