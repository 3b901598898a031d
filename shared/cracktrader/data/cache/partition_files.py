"""The files of one cached dataset: writing a partition (Parquet, its CRC-32 for the
manifest), opening one for reading checked against its manifest entry, picking the row groups
and rows of a time range, removing what an interrupted writer left. Server only: imports
pyarrow.

Integrity: the manifest records each file's size and CRC-32, and a read checks both for every
file it uses, the whole file (footer, statistics, every page), before decoding any value from
it. That one check costs less than Parquet's page checksums did (the kernel's CRC runs at
memory speed, Arrow's page CRC at ~1.6 GB/s) and covers more: a damaged footer or statistic
could otherwise pick the wrong row groups without any page failing its check.
"""

import os
import secrets
import threading
from bisect import bisect_left

import pyarrow as pa
import pyarrow.parquet as pq

from ...candles import COLUMNS
from ...kernels.checksum import crc32
from ..arrow import SCHEMA
from .manifest import Partition, corrupted

ROW_GROUP = 131_072
# Fast to write and read, and ~35% smaller than raw: delta-encoded times, byte-split floats,
# LZ4. No page checksums: the manifest's CRC-32 of the whole file is checked on read instead.
PARQUET_OPTIONS = dict(
    compression="lz4",
    use_dictionary=False,
    column_encoding={"time": "DELTA_BINARY_PACKED", **{c: "BYTE_STREAM_SPLIT" for c in COLUMNS[1:]}},
    write_statistics=["time"],
    row_group_size=ROW_GROUP,
)
CHUNK = 1 << 22  # bytes per read when checksumming a file without mapping it


class PartitionFile:
    """A partition file opened for reading. Its size is checked against the manifest when it
    is opened; its CRC-32, then its row count and schema, once, before the first use of its
    Parquet metadata or data (`parquet()`, thread-safe). `mapped`: the file is memory-mapped
    (no copy: whole-range reads) and `read` may run on several threads at once; otherwise
    read as needed, by one thread (streaming: the mapped pages would count as this process's
    memory)."""

    def __init__(self, path, part, mapped=True):
        self.path, self.part = path, part
        self.source = pa.memory_map(str(path)) if mapped else pa.OSFile(str(path), "r")
        self._lock = threading.Lock()
        self._parquet = self._data = None
        size = self.source.size()
        if size != part.bytes:
            self.close()
            raise corrupted(path, f"the file has {size} bytes, the manifest says {part.bytes} (truncated or overwritten)")

    def close(self):
        self.source.close()

    def parquet(self):
        """The ParquetFile, once the file's bytes have passed the manifest's CRC-32."""
        with self._lock:
            if self._parquet is None:
                self._parquet = self._checked()
            return self._parquet

    def _checked(self):
        source, part = self.source, self.part
        if isinstance(source, pa.MemoryMappedFile):
            self._data = source.read_buffer()  # a view of the mapping: decoding reads these very bytes
            value, reader = crc32(self._data), pa.BufferReader(self._data)
        else:
            value, reader = file_crc32(source), source
        if value != part.crc32:
            raise corrupted(self.path, "checksum mismatch (the file's bytes changed)")
        try:
            pf = pq.ParquetFile(reader)
        except (OSError, pa.ArrowException) as e:
            raise corrupted(self.path, f"not a readable Parquet file ({e})") from None
        md = pf.metadata
        if md.num_rows != part.rows or md.schema.to_arrow_schema().remove_metadata() != SCHEMA.remove_metadata():
            raise corrupted(self.path, f"it holds {md.num_rows} rows of {md.schema.names}, the manifest says {part.rows} rows")
        return pf

    def row_groups(self, lo, hi):
        """The row groups that may hold bars in [lo, hi), by their time statistics."""
        md = self.parquet().metadata
        out = []
        for i in range(md.num_row_groups):
            stats = md.row_group(i).column(0).statistics
            if stats is not None and stats.has_min_max and (stats.max < lo or stats.min >= hi):
                continue
            out.append(i)
        return out

    def read(self, lo, hi, read_cols, want, groups=None):
        """The rows in [lo, hi) with the `want` columns (one table, a chunk per row group)."""
        groups = self.row_groups(lo, hi) if groups is None else groups
        # Group by group: each decoded while its pages are still in the CPU's cache (measured
        # faster than one call for all of them).
        tables = [self.read_group(g, read_cols) for g in groups]
        table = pa.concat_tables(tables) if tables else SCHEMA.empty_table().select(read_cols)
        return trim(table, lo, hi, want)

    def read_group(self, group, columns):
        """One whole row group, with the given columns."""
        pf = self.parquet()
        if self._data is not None:  # a reader of its own: pyarrow's are not for two threads at once
            pf = pq.ParquetFile(pa.BufferReader(self._data), metadata=pf.metadata)
        try:
            return pf.read_row_group(group, columns=columns, use_threads=False)
        except (OSError, pa.ArrowException) as e:
            raise corrupted(self.path, f"cannot read it ({e})") from None


def file_crc32(source):
    """The CRC-32 of an open pyarrow file, read in chunks (no more than CHUNK in memory)."""
    source.seek(0)
    value = 0
    while chunk := source.read_buffer(CHUNK):
        value = crc32(chunk, value)
    source.seek(0)
    return value


def times_of(chunk):
    buf = chunk.buffers()[1]
    return memoryview(buf)[chunk.offset * 8 : (chunk.offset + len(chunk)) * 8].cast("q")


def trim(table, lo, hi, want):
    """Rows of `table` (sorted by time) in [lo, hi), with the `want` columns."""
    chunks = table.column("time").chunks
    if chunks:
        first, last = times_of(chunks[0]), times_of(chunks[-1])
        start = bisect_left(first, lo)
        stop = table.num_rows - (len(last) - bisect_left(last, hi))
        if start > 0 or stop < table.num_rows:
            table = table.slice(start, max(0, stop - start))
    return table.select(want)


def outside(path, part, start, end):
    """The rows of a partition (checked like any read) before `start` and from `end` on."""
    pf = PartitionFile(path, part)
    try:
        table = pf.read(-(2**62), 2**62, list(COLUMNS), list(COLUMNS))
    finally:
        pf.close()
    times = table.column("time").combine_chunks()
    view = times_of(times)
    a, b = bisect_left(view, start), bisect_left(view, end)
    return table.slice(0, a), table.slice(b)


def write_partition(directory, key, tables):
    """Writes the tables (in time order) as a new partition file; its Partition (None for no
    rows)."""
    table = pa.concat_tables(tables)
    if table.num_rows == 0:
        return None
    # The cache's own tables have the schema's types: a cast (which loads pyarrow.compute) is
    # for anything else.
    table = table.replace_schema_metadata(SCHEMA.metadata) if table.schema.equals(SCHEMA) else table.cast(SCHEMA)
    name = f"{key}.{secrets.token_hex(4)}.parquet"
    tmp = directory / f".{name}.tmp"
    pq.write_table(table, str(tmp), **PARQUET_OPTIONS)
    with pa.memory_map(str(tmp)) as written:  # the bytes just written, from the page cache
        size, value = written.size(), crc32(written.read_buffer())
    os.replace(tmp, directory / name)
    times = table.column("time")
    return Partition(file=name, rows=table.num_rows, first=times[0].as_py(), last=times[-1].as_py(), bytes=size, crc32=value)

