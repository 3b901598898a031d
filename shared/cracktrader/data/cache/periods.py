"""Cache partitions: each dataset is split into files by calendar period, so an update
rewrites one recent file and a range read opens only the files it needs.

Bars shorter than a minute are kept by month ("2024-01"), bars shorter than a day by year
("2024", about 525,600 one-minute bars), longer bars in one file ("all").
"""

from bisect import bisect_left
from datetime import datetime, timezone

MONTH, YEAR, ALL = "month", "year", "all"


def kind_for(timeframe_ms):
    return MONTH if timeframe_ms < 60_000 else YEAR if timeframe_ms < 86_400_000 else ALL


def _utc(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


def _ms(dt):
    return int(dt.replace(tzinfo=timezone.utc).timestamp()) * 1000


def key_of(ms, kind):
    if kind == ALL:
        return "all"
    d = _utc(ms)
    return f"{d.year:04d}-{d.month:02d}" if kind == MONTH else f"{d.year:04d}"


def bounds(key):
    """[start, end) in ms of a period key."""
    if key == "all":
        return (-(2**62), 2**62)
    if len(key) == 4:
        y = int(key)
        return _ms(datetime(y, 1, 1)), _ms(datetime(y + 1, 1, 1))
    y, m = int(key[:4]), int(key[5:7])
    return _ms(datetime(y, m, 1)), _ms(datetime(y + m // 12, m % 12 + 1, 1))


def keys_between(start, end, kind):
    """The period keys overlapping [start, end), in order."""
    if end <= start:
        return []
    key = key_of(start, kind)
    out = [key]
    while bounds(key)[1] < end and key != "all":
        key = key_of(bounds(key)[1], kind)
        out.append(key)
    return out


def split(time, kind):
    """[(key, lo, hi)]: the rows of a sorted time column in each period."""
    out = []
    lo = 0
    while lo < len(time):
        key = key_of(time[lo], kind)
        hi = bisect_left(time, bounds(key)[1], lo)
        out.append((key, lo, hi))
        lo = hi
    return out
