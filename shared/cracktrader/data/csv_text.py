"""A pure-Python CSV candle reader: what the browser uses for a dropped file, and the server's
fallback. Times may be epoch seconds, milliseconds (or finer), or ISO 8601; column names are
matched case-insensitively, with common aliases (date, datetime, timestamp)."""

import csv
import io
from datetime import datetime, timezone

from ..candles import PRICE_COLUMNS, Candles
from .errors import DataError

TIME_ALIASES = ("time", "timestamp", "date", "datetime", "open_time", "opentime")


def _columns(header, source):
    names = [h.strip().lower() for h in header]
    index = {}
    for want in PRICE_COLUMNS:
        if want not in names:
            raise DataError(source, 1, want, "missing_column", f"no '{want}' column (header: {', '.join(header)})")
        index[want] = names.index(want)
    for alias in TIME_ALIASES:
        if alias in names:
            index["time"] = names.index(alias)
            break
    else:
        raise DataError(source, 1, "time", "missing_column", f"no time column (one of {', '.join(TIME_ALIASES)})")
    return index


def parse_time(text):
    """A time cell as UTC milliseconds: integer/float epoch (s, ms, us or ns by magnitude) or
    ISO 8601 (naive means UTC)."""
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        stamp = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=timezone.utc)
        return round(stamp.timestamp() * 1000)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    magnitude = abs(value)
    if magnitude < 1e11:  # seconds (until year 5138)
        return round(value * 1000)
    if magnitude < 1e14:  # milliseconds
        return round(value)
    if magnitude < 1e17:  # microseconds
        return round(value / 1000)
    return round(value / 1_000_000)  # nanoseconds


def read_csv_text(text, source="<csv>", **info):
    """Candles from CSV text. Errors name the source, the 1-based line, the field and the rule."""
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None:
        raise DataError(source, 1, None, "empty", "the file is empty")
    index = _columns(header, source)
    cols = {name: [] for name in ("time", *PRICE_COLUMNS)}
    for line, row in enumerate(rows, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        for name, i in index.items():
            cell = row[i] if i < len(row) else ""
            try:
                cols[name].append(parse_time(cell) if name == "time" else float(cell))
            except ValueError:
                raise DataError(source, line, name, "not_a_number" if name != "time" else "bad_time",
                                f"cannot read {cell!r} as {'a time' if name == 'time' else 'a number'}") from None
    return Candles.from_columns(**cols, **info)
