"""`data import`: a CSV or Parquet file into the cache, all or nothing.

The file is read and checked completely (the same rules as everywhere, see data/checks.py) before
anything is written; a file breaking a rule raises a DataError naming the file, the row and
the rule, and the cache is left as it was. `sort` and `drop_duplicates` repair what they say
and report it. The imported bars replace whatever the cache held from the file's first bar to
the end of its last; the file's own missing bars are recorded as gaps.
"""

from dataclasses import dataclass, field

from ..files import read_file


@dataclass
class ImportReport:
    dataset: str
    rows: int
    first: int
    last: int
    gaps: int  # gap ranges inside the file
    missing: int  # bars in them
    repairs: list = field(default_factory=list)


def import_file(path, *, cache=None, exchange, symbol, timeframe=None, time_unit="auto", sort=False,
                drop_duplicates=False, progress=None):
    """Reads, checks and stores a candle file; returns an ImportReport. `progress(stage)` is
    called with "reading", then "writing"."""
    from ...candles import timeframe_ms
    from . import ranges
    from ..ids import dataset_id
    from .store import Cache

    store = cache if isinstance(cache, Cache) else Cache(cache)
    dataset_id(exchange, symbol, timeframe or "1m")  # check the names before reading anything
    if progress:
        progress("reading")
    candles = read_file(path, timeframe=timeframe, time_unit=time_unit, sort=sort, drop_duplicates=drop_duplicates,
                        copy=False, symbol=symbol, exchange=exchange)
    if progress:
        progress("writing")
    tf = timeframe_ms(candles.timeframe) if candles.timeframe else 0
    if not tf:
        raise ValueError(f"{path}: one bar does not tell the timeframe: pass it (--timeframe)")
    t = candles.time
    covered = (t[0], t[-1] + tf)
    m = store.write(candles, covered=covered, checked=True)  # read_file checked them
    gaps = ranges.intersect(m.gaps, [covered])
    return ImportReport(dataset_id(exchange, symbol, candles.timeframe), len(candles), t[0], t[-1], len(gaps),
                        ranges.total(gaps) // tf, candles.meta.get("repairs", []))
