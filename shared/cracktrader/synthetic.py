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


def ohlcv(n, seed=1, start=100.0, step=0.01, bar_ms=60_000, t0=1_700_000_040_000, symbol="SYN/USDT", timeframe=None):
    """`n` candles of a random walk: each bar opens at the previous close (plus a small gap),
    wanders in up to four sub-steps whose extremes make its high and low, and closes at the last.
    Times start at `t0` (UTC ms) every `bar_ms`."""
    from .candles import Candles

    if n < 0:
        raise ValueError(f"ohlcv: n must be >= 0, got {n}")
    rng = random.Random(seed)
    cols = [array("d", bytes(8 * n)) for _ in range(5)]
    o, h, lo, c, v = cols
    price = start
    for i in range(n):
        price *= 1.0 + (rng.random() - 0.5) * step * 0.2  # the gap from the previous close
        o[i] = high = low = price
        for _ in range(4):
            price *= 1.0 + (rng.random() - 0.5) * step
            high = price if price > high else high
            low = price if price < low else low
        h[i], lo[i], c[i] = high, low, price
        v[i] = 1.0 + rng.random() * 99.0
    time = array("q", range(t0, t0 + n * bar_ms, bar_ms)) if n else array("q")
    if timeframe is None:
        timeframe = _timeframe(bar_ms)
    return Candles(time, o, h, lo, c, v, symbol=symbol, timeframe=timeframe)


def _timeframe(bar_ms):
    for unit, ms in (("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)):
        if bar_ms % ms == 0:
            return f"{bar_ms // ms}{unit}"
    return ""
