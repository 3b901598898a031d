"""Pure-Python reference of the statistics' equity-curve sums (`stats.curve`, `stats.versus`),
written from their definitions with math.fsum: the oracle for the kernel that computes them."""

import math


def returns(equity):
    return [(b / a - 1.0) if a else 0.0 for a, b in zip(equity, equity[1:])]


def curve(times, equity):
    """(mean, sample std, downside, max drawdown, its ms, its bars); None where undefined."""
    r = returns(list(equity))
    mean = math.fsum(r) / len(r) if r else None
    std = math.sqrt(math.fsum((x - mean) ** 2 for x in r) / (len(r) - 1)) if len(r) > 1 else None
    down = math.sqrt(math.fsum(x * x for x in r if x < 0) / len(r)) if r else None
    return (mean, std, down, *drawdown(times, equity))


def drawdown(times, equity):
    n, peak, worst, high, longest = len(equity), equity[0], 0.0, 0, (0, 0)
    least = None
    for k, v in enumerate(equity):
        peak = max(peak, v)
        if equity[0] > 0:
            least = v / peak if least is None else min(least, v / peak)
        else:
            worst = max(worst, (1.0 - v / peak) if peak > 0 else 0.0)
        if v >= peak:
            span = (times[k] - times[high], k - high)
            if span[1] > 1 and span > longest:
                longest = span
            high = k
    if high != n - 1:
        longest = max(longest, (times[n - 1] - times[high], n - 1 - high))
    return (1.0 - least if equity[0] > 0 else worst, *longest)


def versus_sums(equity, benchmark):
    r, b = returns(list(equity)), returns(list(benchmark))
    return (len(r), math.fsum(r), math.fsum(b), math.fsum(x * x for x in b), math.fsum(x * y for x, y in zip(r, b)))
