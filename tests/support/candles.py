"""Deterministic candle series and files for tests (no network, no shared data needed)."""

import random
from array import array

from cracktrader.candles import Candles

START = 1_704_067_200_000  # 2024-01-01T00:00:00Z
MINUTE = 60_000


def series(n, start=START, tf=MINUTE, seed=1, skip=(), symbol="BTC/USDT", exchange="binance", timeframe="1m"):
    """`n` valid bars (a seeded walk), leaving out the bar indexes in `skip` (gaps)."""
    rng = random.Random(seed)
    cols = [array("q"), *(array("d") for _ in range(5))]
    close = 100.0
    for i in range(n):
        o = close
        c = round(o * (1 + (rng.random() - 0.5) / 50), 2)
        h = round(max(o, c) + rng.random(), 2)
        low = round(min(o, c) - rng.random(), 2)
        v = round(rng.random() * 10, 4)
        close = c
        if i in skip:
            continue
        for col, x in zip(cols, (start + i * tf, o, h, low, c, v)):
            col.append(x)
    return Candles(*cols, symbol=symbol, timeframe=timeframe, exchange=exchange)


def csv_text(candles, header="time,open,high,low,close,volume", times="ms"):
    lines = [header] if header else []
    for t, o, h, low, c, v in zip(*(getattr(candles, k) for k in ("time", "open", "high", "low", "close", "volume"))):
        stamp = {"ms": str(t), "s": str(t // 1000), "us": str(t * 1000), "iso": _iso(t)}[times]
        lines.append(f"{stamp},{o!r},{h!r},{low!r},{c!r},{v!r}")
    return "\n".join(lines) + "\n"


def _iso(ms):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rows(candles):
    return list(zip(*(getattr(candles, k) for k in ("time", "open", "high", "low", "close", "volume"))))
