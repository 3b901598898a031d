"""Getting candles: files (CSV, Parquet), the local cache, exchanges.

`load_data(source)` is the one entry point strategies and the CLI use. Heavy libraries
(pyarrow, ccxt) are imported only by the functions that need them.
"""

from pathlib import Path

from .csv_text import read_csv_text

__all__ = ["load_data", "read_csv_text"]


def load_data(source, **info):
    """Candles from a CSV file path. `info` sets symbol/timeframe/exchange on the result."""
    path = Path(source)
    if path.suffix.lower() in (".csv", ".txt"):
        return read_csv_text(path.read_text(), source=str(path), **info)
    raise ValueError(f"{source}: unsupported data source (expected a .csv file)")
