"""Repairs a user asks for explicitly, each reported: sorting rows by time and dropping exact
duplicate rows. Nothing else can be repaired without guessing (a duplicate time with other
values, a NaN, high below close...): those stay errors."""

from array import array
from operator import le

from ...candles import COLUMNS, Candles


def repair(candles, sort=False, drop_duplicates=False):
    """(candles, notes, origin): the repaired candles, one sentence per repair made, and for
    each row the index it had before (None when nothing changed)."""
    notes = []
    c = candles
    origin = None
    if sort:
        t = c.time
        out_of_order = sum(1 for ok in map(le, t, t[1:]) if not ok)
        if out_of_order:
            order = sorted(range(len(t)), key=t.__getitem__)  # stable: equal times keep file order
            c = _take(c, order)
            origin = order
            notes.append(f"sorted by time ({out_of_order} rows were before their predecessor)")
    if drop_duplicates and len(c) > 1:
        rows = list(zip(*(getattr(c, name) for name in COLUMNS)))
        keep = [0, *(i for i in range(1, len(rows)) if rows[i] != rows[i - 1])]
        if len(keep) < len(rows):
            notes.append(f"dropped {len(rows) - len(keep)} exact duplicate rows")
            c = _take(c, keep)
            origin = [origin[i] for i in keep] if origin else keep
    return c, notes, origin


def _take(c, order):
    cols = {name: array("q" if name == "time" else "d", map(getattr(c, name).__getitem__, order)) for name in COLUMNS}
    return Candles(**cols, symbol=c.symbol, timeframe=c.timeframe, exchange=c.exchange, meta=dict(c.meta))
