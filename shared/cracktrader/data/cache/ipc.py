"""Arrow IPC streams of cached candles, for the browser (server only: imports pyarrow).

The host serves `GET /api/datasets/{id}/candles` as `application/vnd.apache.arrow.stream`:
one schema message (time int64 UTC ms, open/high/low/close/volume float64, and the dataset's
id, exchange, symbol and timeframe in the schema metadata), then record batches of at most
131,072 rows. apache-arrow in the browser reads the columns as BigInt64Array/Float64Array
without copying.
"""

import io

import pyarrow as pa

from ..arrow import SCHEMA, to_table, with_info
from ..ids import parse_dataset_id

IPC_MEDIA_TYPE = "application/vnd.apache.arrow.stream"


def stream_schema(ds_id, timeframe=None):
    """The schema of a stream of `ds_id`'s candles (`timeframe`: resampled to it)."""
    exchange, symbol, own = parse_dataset_id(ds_id)
    return SCHEMA.with_metadata(with_info(SCHEMA.metadata, id=ds_id, exchange=exchange, symbol=symbol, timeframe=timeframe or own))


def iter_ipc_stream(cache, ds_id, since=None, until=None):
    """The stream as byte chunks (schema first, then one chunk per record batch): for a
    streaming HTTP response. Raises before yielding anything when the dataset is not cached."""
    schema = stream_schema(ds_id)
    tables = cache.stream(ds_id, since, until)
    first = next(tables, None)  # opens the files: errors surface before the response starts

    def chunks():
        sink = io.BytesIO()
        with pa.ipc.new_stream(sink, schema) as writer:
            yield _drain(sink)
            for table in ([first] if first is not None else []):
                writer.write_table(table.replace_schema_metadata(schema.metadata))
                yield _drain(sink)
            for table in tables:
                writer.write_table(table.replace_schema_metadata(schema.metadata))
                yield _drain(sink)
        yield _drain(sink)

    return chunks()


def ipc_stream(cache, ds_id, since=None, until=None):
    """The whole stream as bytes."""
    return b"".join(iter_ipc_stream(cache, ds_id, since, until))


def candles_ipc_stream(candles, ds_id):
    """Candles in memory (e.g. `ds_id` resampled) as one whole stream, in bytes."""
    sink = io.BytesIO()
    schema = stream_schema(ds_id, candles.timeframe)
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_table(to_table(candles, schema.metadata))
    return sink.getvalue()


def _drain(sink):
    data = sink.getvalue()
    sink.seek(0)
    sink.truncate()
    return data
