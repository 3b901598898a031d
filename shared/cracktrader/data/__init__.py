"""Getting candles: a user's files (CSV, Parquet), the local cache, exchanges.

    errors, checks, ids  DataError; the validity rules; dataset ids ("binance.BTC-USDT.1h")
    resample, arrow      aggregation to a longer timeframe; Candles <-> Arrow (server)
    files/               a candle file: CSV and Parquet readers, column layout, repairs, what
                         its name and metadata say it holds
    cache/               the local cache: Cache (store, manifest, partition files, periods,
                         ranges), import, fetch (ccxt), verify, export, Arrow IPC streams

`load_data(source)` is the one entry point strategies and the CLI use. The names users and the
host import are the ones below, each imported from its module on first use: `import
cracktrader.data` loads neither pyarrow nor ccxt.
"""

import os
from pathlib import Path

from .errors import DataError

# Public name -> the module defining it (relative to this package), imported on first use.
_PUBLIC = {
    "read_file": "files", "read_csv": "files.csv_text", "read_csv_text": "files.csv_text", "identify": "files.naming",
    "BadDatasetId": "ids", "dataset_id": "ids", "parse_dataset_id": "ids", "is_dataset_id": "ids",
    "Cache": "cache.store", "import_file": "cache.importer", "ImportReport": "cache.importer",
    "fetch": "cache.fetcher", "FetchError": "cache.fetcher", "FetchReport": "cache.fetcher",
    "verify": "cache.verify", "export": "cache.export",
    "iter_ipc_stream": "cache.ipc", "ipc_stream": "cache.ipc", "candles_ipc_stream": "cache.ipc",
    "IPC_MEDIA_TYPE": "cache.ipc",
}

__all__ = ["DataError", "load_data", "select", *_PUBLIC]


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = globals()[name] = getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    return value


def __dir__():
    return sorted({*globals(), *__all__})


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
    from .files import CSV_SUFFIXES, PARQUET_SUFFIXES, read_file

    if path.suffix.lower() in CSV_SUFFIXES + PARQUET_SUFFIXES or path.exists():
        return select(read_file(path, **info), since=since, until=until, timeframe=resample)
    from .ids import is_dataset_id

    if not is_dataset_id(str(source)):
        raise ValueError(f"{source}: not a file (.csv, .parquet) nor a dataset id like binance.BTC-USDT.1h")
    if info:
        raise TypeError(f"load_data: {', '.join(sorted(info))} apply to files, not to dataset ids (to change the timeframe: resample=)")
    try:
        import pyarrow  # noqa: F401  (the cache is Parquet files)
    except ImportError as e:  # Pyodide: no pyarrow, no cache
        raise ValueError(f"{source}: dataset ids are read from the server's cache, which needs pyarrow ({e})") from None
    from .cache.store import Cache

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
