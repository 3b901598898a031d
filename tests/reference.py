"""Pure-Python reference kernels: the oracle the native and WASM builds are tested against.

Written for clarity from each indicator's definition, not for speed, and independent of the
Rust code (no running sums: each window is summed afresh with math.fsum).
"""

import math

NAN = float("nan")


def sma(x, n):
    out = []
    for i in range(len(x)):
        window = x[i - n + 1 : i + 1] if i + 1 >= n else None
        if window is None or not all(math.isfinite(v) for v in window):
            out.append(NAN)
        else:
            out.append(math.fsum(window) / n)
    return out
