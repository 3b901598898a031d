"""Getting candles: files (CSV, Parquet), the local cache, exchanges.

`load_data(source)` is the one entry point strategies and the CLI use. Heavy libraries
(pyarrow, ccxt) are imported only by the functions that need them.
"""

import os
from pathlib import Path

from .csv_text import read_csv, read_csv_text
from .errors import DataError

__all__ = ["Cache", "DataError", "FetchError", "fetch", "import_file", "load_data", "read_csv", "read_csv_text", "read_file", "select"]

# Server-side parts, imported on first use (they import pyarrow, ccxt).
_LAZY = {"Cache": "store", "fetch": "fetcher", "FetchError": "fetcher", "import_file": "importer"}


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_file(path, **options):
    from .files import read_file

    return read_file(path, **options)


def load_data(source, *, since=None, until=None, resample=None, cache=None, **info):
    """Candles from a CSV/Parquet/Arrow file or a cached dataset id (e.g. "binance.BTC-USDT.1h").

    For files, `info` may give symbol, exchange and timeframe (checked against the data), and
    `time_unit`, `sort`, `drop_duplicates` (see `read_csv`). `since`/`until` (UTC ms, until
    exclusive) keep a time range; `resample` ("1h", "1d"...) aggregates to a longer timeframe;
    `cache` is the cache directory (default: CRACKTRADER_CACHE_DIR or the user cache).
    """
    path = Path(source) if isinstance(source, (str, os.PathLike)) else None
    if path is None:
        raise TypeError(f"load_data: expected a file path or a dataset id, got {type(source).__name__}")
    from .files import CSV_SUFFIXES, PARQUET_SUFFIXES

    if path.suffix.lower() in CSV_SUFFIXES + PARQUET_SUFFIXES or path.exists():
        return select(read_file(path, **info), since=since, until=until, timeframe=resample)
    from . import ids

    if not ids.is_dataset_id(str(source)):
        raise ValueError(f"{source}: not a file (.csv, .parquet) nor a dataset id like binance.BTC-USDT.1h")
    if info:
        raise TypeError(f"load_data: {', '.join(sorted(info))} apply to files, not to dataset ids (to change the timeframe: resample=)")
    try:
        from .store import Cache
    except ImportError as e:  # Pyodide: no pyarrow, no cache
        raise ValueError(f"{source}: dataset ids are read from the server's cache, which needs pyarrow ({e})") from None
    # The cache reads only the range's row groups; the aggregation follows.
    return select(Cache(cache).read(str(source), since=since, until=until), timeframe=resample)


def select(candles, *, since=None, until=None, timeframe=None):
    """The candles from `since` to `until` (UTC ms, until exclusive), aggregated to `timeframe`
    when given and not theirs already: what the browser and the server run on."""
    if since is not None or until is not None:
        candles = _between(candles, since, until)
    if timeframe and timeframe != candles.timeframe:
        from .resample import resample

        candles = resample(candles, timeframe)
    return candles


def _between(candles, since, until):
    from bisect import bisect_left

    lo = 0 if since is None else bisect_left(candles.time, since)
    hi = len(candles) if until is None else bisect_left(candles.time, until)
    return candles.slice(lo, hi)
