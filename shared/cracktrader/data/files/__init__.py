"""A user's candle file, read by its type: CSV (the kernel reader, everywhere) or Parquet and
Arrow (pyarrow, on the server).

    csv_text   CSV bytes -> Candles (header matched here, body parsed by the Rust kernel)
    parquet    Parquet / Arrow IPC files -> Candles (server only: pyarrow)
    layout     which columns hold time, open, high, low, close, volume
    repair     the repairs a user asks for: sorting, dropping exact duplicates
    naming     what a file's name, folder and metadata say it holds (exchange, symbol, timeframe)
"""

import mmap
from contextlib import contextmanager
from pathlib import Path

from .csv_text import read_csv

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq", ".arrow", ".arrows", ".ipc", ".feather")  # all read by pyarrow


def read_file(path, **options):
    """Candles from a CSV, Parquet or Arrow IPC file; see `read_csv` for the options."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        try:
            from .parquet import read_parquet
        except ImportError as e:  # Pyodide: no pyarrow
            raise ValueError(f"{path}: reading {suffix} files needs pyarrow ({e}); in the browser, use CSV") from None
        return read_parquet(path, str(path), **options)
    if suffix in CSV_SUFFIXES:
        with _mapped(path) as data:
            return read_csv(data, str(path), **options)
    raise ValueError(f"{path}: unsupported file type {suffix or '(none)'!r} (expected .csv, .txt, .tsv, .parquet, .arrow)")


@contextmanager
def _mapped(path):
    """The file's bytes, memory-mapped where possible (no copy of a large file)."""
    with open(path, "rb") as f:
        try:
            m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError, AttributeError):  # empty file, or no mmap (Pyodide)
            yield f.read()
            return
        try:
            yield m
        finally:
            m.close()
