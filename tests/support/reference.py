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


def _finite(*values):
    return all(math.isfinite(v) for v in values)


def smma(x, n):
    """Wilder's smoothing: the mean of the first n values, then ((n - 1) * prev + x) / n."""
    out, prev = [], None
    for i, v in enumerate(x):
        if i + 1 < n:
            out.append(NAN)
        elif i + 1 == n:
            prev = math.fsum(x[:n]) / n
            out.append(prev)
        else:
            prev = ((n - 1) * prev + v) / n
            out.append(prev)
    return out


def ema(x, n):
    """TA-Lib's EMA: the mean of the first n values, then prev + (x - prev) * 2 / (n + 1)."""
    k = 2 / (n + 1)
    out, prev = [], None
    for i, v in enumerate(x):
        if i + 1 < n:
            out.append(NAN)
            continue
        prev = math.fsum(x[:n]) / n if i + 1 == n else prev + (v - prev) * k
        out.append(prev)
    return out


def atr(high, low, close, n):
    """Wilder's ATR: true ranges from the second bar, their mean over the first n, then smoothed."""
    tr = [max(h - l, abs(h - pc), abs(l - pc)) for h, l, pc in zip(high[1:], low[1:], close)]
    return [NAN] + smma(tr, n)


def donchian(high, low, n):
    """Highest high, midpoint and lowest low of the last n bars."""
    upper, middle, lower = [], [], []
    for i in range(len(high)):
        if i + 1 < n:
            hi = lo = NAN
        else:
            hi, lo = max(high[i - n + 1 : i + 1]), min(low[i - n + 1 : i + 1])
        upper.append(hi)
        middle.append((hi + lo) / 2)
        lower.append(lo)
    return upper, middle, lower


def keltner(high, low, close, n, k, atr_n):
    """EMA(close, n) plus and minus k times ATR(atr_n)."""
    mid, a = ema(close, n), atr(high, low, close, atr_n)
    upper = [m + k * r if _finite(m, r) else NAN for m, r in zip(mid, a)]
    lower = [m - k * r if _finite(m, r) else NAN for m, r in zip(mid, a)]
    middle = [m if _finite(m, r) else NAN for m, r in zip(mid, a)]
    return upper, middle, lower


def vwap(high, low, close, volume, n):
    """sum(typical price * volume) / sum(volume) over the last n bars; NaN with no volume."""
    out = []
    for i in range(len(close)):
        if i + 1 < n:
            out.append(NAN)
            continue
        window = range(i - n + 1, i + 1)
        volume_sum = math.fsum(volume[j] for j in window)
        value = math.fsum((high[j] + low[j] + close[j]) / 3 * volume[j] for j in window)
        out.append(value / volume_sum if volume_sum else NAN)
    return out


def crossover(a, b):
    """1 where a > b after a <= b on the previous bar, else 0; NaN on the first bar."""
    return [NAN] + [1.0 if a[i - 1] <= b[i - 1] and a[i] > b[i] else 0.0 for i in range(1, len(a))]


def crossunder(a, b):
    """1 where a < b after a >= b on the previous bar, else 0; NaN on the first bar."""
    return [NAN] + [1.0 if a[i - 1] >= b[i - 1] and a[i] < b[i] else 0.0 for i in range(1, len(a))]
