"""Candles <-> Arrow, without copying either way where the memory allows (server only:
imports pyarrow).

The schema every cached file and every Arrow stream has: `time` int64 (UTC ms) and
`open`, `high`, `low`, `close`, `volume` float64, none nullable. Files we export and the
streams we send also say what they hold (exchange, symbol, timeframe) under one metadata key.
"""

import json
from array import array

import pyarrow as pa

from ..candles import COLUMNS, Candles

SCHEMA = pa.schema(
    [pa.field("time", pa.int64(), nullable=False)]
    + [pa.field(name, pa.float64(), nullable=False) for name in COLUMNS[1:]],
    metadata={"time": "UTC milliseconds, bar open time"},
)
META_KEY = b"cracktrader"


def with_info(metadata, **info):
    """Schema metadata plus `info` (exchange, symbol, timeframe...) under META_KEY, as JSON."""
    return {**(metadata or {}), META_KEY: json.dumps(info).encode()}


def info_of(schema):
    """The `info` a schema's metadata holds under META_KEY ({} when none)."""
    raw = (schema.metadata or {}).get(META_KEY)
    return json.loads(raw) if raw else {}


def to_table(candles, metadata=None):
    """An Arrow table viewing the candles' columns (no copy)."""
    n = len(candles)
    arrays = [pa.Array.from_buffers(field.type, n, [None, pa.py_buffer(getattr(candles, field.name))]) for field in SCHEMA]
    schema = SCHEMA.with_metadata({**SCHEMA.metadata, **(metadata or {})}) if metadata else SCHEMA
    return pa.Table.from_arrays(arrays, schema=schema)


def column_to_array(column, typecode):
    """array('q'/'d') holding an Arrow column of int64/float64 without nulls."""
    return append_column(array(typecode), column)


def append_column(out, column):
    """Appends an Arrow column (chunked or not) of 8-byte values without nulls to an array:
    the chunks' buffers are copied as bytes, no Python loop."""
    for chunk in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
        buf = chunk.buffers()[1]
        if buf is not None and len(chunk):
            start = chunk.offset * 8
            out.frombytes(memoryview(buf)[start : start + len(chunk) * 8])
    return out


def column_view(column, typecode):
    """A read-only memoryview ('q'/'d') of an Arrow column of int64/float64 without nulls: a
    view of its buffer when it is one chunk (it keeps the Arrow memory alive), else of one
    concatenated copy."""
    if isinstance(column, pa.ChunkedArray):
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()  # combine copies even one chunk
    chunk, buf = column, column.buffers()[1]
    if buf is None or not len(chunk):
        return memoryview(b"").cast(typecode)
    start = chunk.offset * 8
    return memoryview(buf).toreadonly().cast("B")[start : start + len(chunk) * 8].cast(typecode)


def to_candles(table, **info):
    """Candles viewing the table's six columns (which must have the schema's types): no copy
    for single-chunk columns."""
    cols = [column_view(table.column(name), "q" if name == "time" else "d") for name in COLUMNS]
    return Candles(*cols, **info)
