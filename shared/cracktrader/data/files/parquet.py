"""Reading candles from a user's Parquet or Arrow IPC file (server only: imports pyarrow).

Columns are matched by name as in CSV files. Times may be integers or floats (epoch seconds,
milliseconds, ... decided as for CSV), timestamps (any unit; naive ones are UTC), dates, or
ISO 8601 text; values any numeric type. Errors name the 1-based data row. A file exported by
`cracktrader data export` carries its exchange, symbol and timeframe in its metadata
(`candles.meta["info"]`).
"""

import pyarrow as pa
import pyarrow.parquet as pq

from ...candles import Candles
from ..arrow import column_to_array, info_of
from ..checks import check
from ..errors import DataError
from .layout import COLUMNS, match_columns
from .repair import repair

ARROW_SUFFIXES = (".arrow", ".arrows", ".ipc", ".feather")


def _read_arrow(path, schema_only=False):
    """An Arrow IPC file or stream (e.g. what `GET /api/datasets/{id}/candles` sends), or its
    schema."""
    with pa.memory_map(str(path)) as source:
        try:
            reader = pa.ipc.open_file(source)
        except pa.ArrowInvalid:
            source.seek(0)
            reader = pa.ipc.open_stream(source)
        return reader.schema if schema_only else reader.read_all()


def read_info(path):
    """The exchange, symbol and timeframe an exported file says it holds, read from its
    metadata only ({} when it says nothing, or cannot be read: reading it will say why)."""
    try:
        schema = _read_arrow(path, schema_only=True) if str(path).lower().endswith(ARROW_SUFFIXES) else pq.read_schema(path)
        info = info_of(schema)
    except (OSError, ValueError, pa.ArrowException):
        return {}
    return {key: info[key] for key in ("exchange", "symbol", "timeframe") if isinstance(info.get(key), str)}


def read_parquet(path, source=None, *, timeframe=None, time_unit="auto", sort=False, drop_duplicates=False,
                 copy=True, symbol="", exchange=""):
    from ...kernels import ohlcv

    source = source or str(path)
    arrow = str(path).lower().endswith(ARROW_SUFFIXES)
    try:
        table = _read_arrow(path) if arrow else _read_parquet(path)
    except FileNotFoundError:
        raise
    except (OSError, pa.ArrowException) as e:
        kind = "Arrow IPC" if arrow else "Parquet"
        raise DataError(source, None, None, "unreadable_file", f"not a readable {kind} file ({e})") from None
    index = match_columns(table.column_names, source)
    row_of = lambda i: i + 1  # noqa: E731
    cols = {}
    for name in COLUMNS:
        col = table.column(index[name])
        if col.null_count:
            import pyarrow.compute as pc

            first = pc.index(pc.is_null(col), True).as_py()
            raise DataError(source, first + 1, name, "missing_value", f"no value for {name}")
        cols[name] = _time(col, source, time_unit, ohlcv) if name == "time" else _values(col, name, source)
    candles = Candles(*(cols[c] for c in COLUMNS), symbol=symbol, exchange=exchange)
    info = info_of(table.schema)
    if info:
        candles.meta["info"] = info
    if sort or drop_duplicates:
        candles, notes, origin = repair(candles, sort=sort, drop_duplicates=drop_duplicates)
        candles.meta["repairs"] = notes
        if origin is not None:
            row_of = lambda i: origin[i] + 1  # noqa: E731
    check(candles, source, timeframe, row_of=row_of)
    return candles


def _read_parquet(path):
    # ParquetFile, not read_table: that one loads pyarrow.dataset, which loads pandas.
    with pq.ParquetFile(path) as f:
        return f.read()


def _cast(col, type_, safe=True):
    """`col` as `type_`, loading pyarrow.compute (slow to import) only when it is another type."""
    if col.type == type_:
        return col
    import pyarrow.compute as pc

    return pc.cast(col, type_, safe=safe)


def _values(col, name, source):
    if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type) or pa.types.is_decimal(col.type)):
        raise DataError(source, None, name, "bad_type", f"column {name} has type {col.type}; expected numbers")
    return column_to_array(_cast(col, pa.float64()), "d")


def _time(col, source, unit, ohlcv):
    t = col.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        ms = _cast(col, pa.timestamp("ms", tz=getattr(t, "tz", None)), safe=False)  # sub-ms dropped
        return column_to_array(_cast(ms, pa.int64()), "q")
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        values = column_to_array(_cast(col, pa.int64() if pa.types.is_integer(t) else pa.float64()), "q" if pa.types.is_integer(t) else "d")
        out, violation = ohlcv.epoch_to_ms(values, unit)
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        out, violation = ohlcv.parse_times(col.to_pylist(), unit)
    else:
        raise DataError(source, None, "time", "bad_type", f"column time has type {t}; expected epoch numbers, timestamps, dates or ISO 8601 text")
    if violation:
        row, field, rule, detail = violation
        raise DataError(source, row + 1, field, rule, detail)
    from array import array

    a = array("q")
    a.frombytes(memoryview(out).cast("B"))
    return a
