"""`data export`: a cached dataset (or a range of it, optionally resampled) to CSV, Parquet
or an Arrow IPC file (server only: imports pyarrow).

CSV has the header time,open,high,low,close,volume with times in UTC ms; Parquet (zstd) and
Arrow files carry the exchange, symbol and timeframe in their metadata, so `data import`
needs no options to bring a file back. Files are written whole then renamed into place.
"""

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from ..arrow import to_table, with_info
from ..ids import parse_dataset_id

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".arrow": "arrow", ".feather": "arrow", ".ipc": "arrow"}


def format_of(path, fmt=None):
    if fmt:
        if fmt not in ("csv", "parquet", "arrow"):
            raise ValueError(f"unknown format {fmt!r}: expected csv, parquet or arrow")
        return fmt
    try:
        return FORMATS[Path(path).suffix.lower()]
    except KeyError:
        raise ValueError(f"{path}: cannot tell the format from the name (use .csv, .parquet or .arrow, or --format)") from None


def export(cache, ds_id, path, fmt=None, since=None, until=None, timeframe=None):
    """Writes the bars of [since, until) to `path`; returns the number of rows written."""
    fmt = format_of(path, fmt)
    exchange, symbol, source_tf = parse_dataset_id(ds_id)
    if timeframe and timeframe != source_tf:
        from ..resample import resample

        candles = resample(cache.read(ds_id, since, until), timeframe)
        table = to_table(candles)
    else:
        timeframe = source_tf
        table = cache.read_table(ds_id, since, until)
    table = table.replace_schema_metadata(with_info(table.schema.metadata, exchange=exchange, symbol=symbol, timeframe=timeframe))
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if fmt == "csv":
            pcsv.write_csv(table, tmp)
        elif fmt == "parquet":
            pq.write_table(table, tmp, compression="zstd")
        else:
            with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return table.num_rows
