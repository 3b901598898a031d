"""Which columns of a file hold the candles: matched by name (case-insensitive), or by
position when a CSV has no header (Binance and ccxt order: time, open, high, low, close,
volume, then anything).

Time column names: time, timestamp, date, datetime, open_time, opentime, date_time.
"""

import csv
from dataclasses import dataclass

from ..errors import DataError

TIME_NAMES = ("time", "timestamp", "date", "datetime", "open_time", "opentime", "date_time")
VALUE_NAMES = ("open", "high", "low", "close", "volume")
COLUMNS = ("time", *VALUE_NAMES)
DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class CsvLayout:
    delimiter: str
    fields: tuple  # field index of time, open, high, low, close, volume
    header: bool  # the first line is a header (data starts on line 2)


def match_columns(names, source):
    """{column: index in names} for the six candle columns, or DataError(missing_column)."""
    lowered = [str(n).strip().lower() for n in names]
    index = {}
    for want in VALUE_NAMES:
        if want not in lowered:
            raise DataError(source, 1, want, "missing_column", f"no {want!r} column (columns: {', '.join(map(str, names))})")
        index[want] = lowered.index(want)
    for alias in TIME_NAMES:
        if alias in lowered:
            index["time"] = lowered.index(alias)
            break
    else:
        raise DataError(source, 1, "time", "missing_column", f"no time column (one of {', '.join(TIME_NAMES)}; columns: {', '.join(map(str, names))})")
    return index


def _looks_like_data(cell):
    cell = cell.strip()
    try:
        float(cell)
        return True
    except ValueError:
        return len(cell) >= 10 and cell[4:5] == "-" and cell[:4].isdigit()


def csv_layout(first_line, source):
    """The layout of a CSV file from its first line (decoded text, without the newline)."""
    if not first_line.strip():
        raise DataError(source, 1, None, "empty", "the first line is empty (expected a header: time,open,high,low,close,volume)")
    delimiter = max(DELIMITERS, key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    cells = next(csv.reader([first_line], delimiter=delimiter))
    if all(_looks_like_data(c) for c in cells):
        if len(cells) < 6:
            raise DataError(source, 1, None, "missing_column", f"no header and only {len(cells)} fields (a file without a header needs time,open,high,low,close,volume first)")
        return CsvLayout(delimiter, tuple(range(6)), header=False)
    index = match_columns(cells, source)
    return CsvLayout(delimiter, tuple(index[c] for c in COLUMNS), header=True)
