"""Klines from trades the way an exchange builds them, in exact decimals: the oracle for the
candles-from-trades kernel, and what the simulator's kline streams serve.

A trade is `(time_ms, price, amount)` with price and amount as decimal strings (what the
exchange received). Bars sit on the interval's UTC grid (weeks from Monday); every interval
from the first trade's on has a bar, one without trades repeating the previous close with zero
volume. A bar is `[open_time, open, high, low, close, volume, quote_volume, trades]` with
Decimal prices and volumes."""

from decimal import Decimal

WEEK = 604_800_000
MONDAY = 4 * 86_400_000  # 1970-01-01 was a Thursday


def period_start(t, interval_ms):
    offset = MONDAY if interval_ms % WEEK == 0 else 0
    return (t - offset) // interval_ms * interval_ms + offset


def klines(trades, interval_ms, now=None):
    bars = []
    for t, price, amount in trades:
        p, a = Decimal(price), Decimal(amount)
        start = period_start(t, interval_ms)
        while bars and bars[-1][0] + interval_ms <= start:  # empty intervals up to this trade's
            c = bars[-1][4]
            bars.append([bars[-1][0] + interval_ms, c, c, c, c, Decimal(0), Decimal(0), 0])
        if bars and bars[-1][0] == start and bars[-1][7]:
            bar = bars[-1]
            bar[2], bar[3], bar[4] = max(bar[2], p), min(bar[3], p), p
            bar[5] += a
            bar[6] += p * a
            bar[7] += 1
        else:
            if bars and bars[-1][0] == start:
                bars.pop()  # an empty bar this trade opens
            bars.append([start, p, p, p, p, a, p * a, 1])
    while now is not None and bars and bars[-1][0] + interval_ms <= now:
        c = bars[-1][4]
        bars.append([bars[-1][0] + interval_ms, c, c, c, c, Decimal(0), Decimal(0), 0])
    return bars


def as_floats(bars):
    """Bars as a client reads the exchange's decimal strings: each number as the nearest float."""
    return [[b[0], *(float(x) for x in b[1:7]), b[7]] for b in bars]
