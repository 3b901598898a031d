"""Deterministic synthetic series, identical on every platform.

Only `random.Random.random()` and IEEE arithmetic are used (no exp/log/cos, whose last bit may
differ between libms), so CPython and Pyodide produce the very same bits for a given seed.
"""

import random
from array import array


def random_walk(n, seed=1, start=100.0, step=0.01):
    """`n` prices starting at `start`, each a uniform multiplicative step of up to +-step."""
    if n < 0:
        raise ValueError(f"random_walk: n must be >= 0, got {n}")
    rng = random.Random(seed)
    out = array("d", bytes(8 * n))
    price = start
    for i in range(n):
        out[i] = price
        price *= 1.0 + (rng.random() - 0.5) * 2.0 * step
    return out
