"""The candle cache: Parquet files partitioned by exchange / symbol / timeframe / period, with
a manifest per dataset (see manifest.py). Server only: imports pyarrow.

Layout: `<root>/candles/<exchange>/<symbol as in dataset ids>/<timeframe>/` holds
`manifest.json`, `.lock` and one `<period>.<random>.parquet` per period. The root is
CRACKTRADER_CACHE_DIR, or the user's cache directory (`~/.cache/cracktrader`, ...).

Writes hold an exclusive lock on the dataset (flock), write new partition files under new
names (temporary file, rename), then replace the manifest (the commit: temporary file, fsync,
rename), then delete the files it no longer names. A writer killed at any point leaves the
previous manifest and every file it names intact; leftovers are removed by the next write.
Partition files are not fsynced (this is a cache, and an fsync costs as much as writing): after
a power loss the newest files may be incomplete, which reads (size, page checksums) and
`data verify` (CRC-32) detect and report with the fix. Reads take no lock: they read the
manifest, then open its files (an open file stays readable if a writer deletes it, and a file
deleted before it was opened makes the read start over).
"""

import io
import os
import secrets
import shutil
import sys
import zlib
from array import array
from bisect import bisect_left
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..candles import COLUMNS, Candles, timeframe_ms
from . import periods, ranges
from .arrow import SCHEMA, append_column, to_candles, to_table
from .checks import check
from .errors import DataError
from .ids import dataset_id, encode_symbol, parse_dataset_id
from .manifest import Manifest, Partition, fsync_dir

ROW_GROUP = 131_072
# Fast to write and read, and ~35% smaller than raw: delta-encoded times, byte-split floats,
# LZ4; page checksums let every read detect corrupted data.
PARQUET_OPTIONS = dict(
    compression="lz4",
    use_dictionary=False,
    column_encoding={"time": "DELTA_BINARY_PACKED", **{c: "BYTE_STREAM_SPLIT" for c in COLUMNS[1:]}},
    write_statistics=["time"],
    write_page_checksum=True,
    row_group_size=ROW_GROUP,
)
MANIFEST = "manifest.json"
LOCK = ".lock"


def default_root():
    """CRACKTRADER_CACHE_DIR, else the platform's user cache directory + /cracktrader."""
    env = os.environ.get("CRACKTRADER_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cracktrader"


def corrupted(path, reason):
    return DataError(str(path), None, None, "corrupted_file",
                     f"{reason}; run `cracktrader data verify --fix` to drop it, then fetch or import that range again")


class Cache:
    def __init__(self, root=None):
        self.root = Path(root).expanduser() if root else default_root()
        self.base = self.root / "candles"

    def __repr__(self):
        return f"<Cache {self.root}>"

    # -- where things are

    def path(self, ds_id):
        exchange, symbol, timeframe = parse_dataset_id(ds_id)
        return self.base / exchange / encode_symbol(symbol) / timeframe

    def ids(self):
        """Every cached dataset id, sorted."""
        if not self.base.is_dir():
            return []
        return sorted(f"{m.parent.parent.parent.name}.{m.parent.parent.name}.{m.parent.name}" for m in self.base.glob(f"*/*/*/{MANIFEST}"))

    def manifest(self, ds_id):
        """The dataset's manifest, or None when it is not cached."""
        path = self.path(ds_id) / MANIFEST
        try:
            text = path.read_text()
        except FileNotFoundError:
            return None
        try:
            return Manifest.from_json(text)
        except (ValueError, KeyError, TypeError) as e:
            raise corrupted(path, f"unreadable manifest ({e})") from None

    def _require(self, ds_id):
        m = self.manifest(ds_id)
        if m is None:
            raise DataError(ds_id, None, None, "not_cached",
                            f"not in the cache at {self.root} (fetch it with `cracktrader data fetch` or import a file)")
        return m

    def datasets(self):
        """One dict per dataset: id, exchange, symbol, timeframe, first, last, rows, gaps,
        missing (bars in gaps), bytes."""
        out = []
        for ds_id in self.ids():
            m = self.manifest(ds_id)
            tf = timeframe_ms(m.timeframe)
            out.append(dict(id=ds_id, exchange=m.exchange, symbol=m.symbol, timeframe=m.timeframe, first=m.first,
                            last=m.last, rows=m.rows, gaps=len(m.gaps), missing=ranges.total(m.gaps) // tf,
                            covered=[list(r) for r in m.covered], bytes=m.bytes))
        return out

    def missing(self, ds_id, since, until):
        """The parts of [since, until) not yet fetched or imported."""
        m = self.manifest(ds_id)
        return ranges.subtract([(since, until)], m.covered if m else [])

    # -- writing

    @contextmanager
    def lock(self, ds_id):
        """Exclusive lock on a dataset (blocks until free), yielding its directory."""
        import fcntl

        d = self.path(ds_id)
        while True:
            d.mkdir(parents=True, exist_ok=True)
            fd = os.open(d / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:  # removed (and maybe re-created) while we waited: lock the new one
                    if os.stat(d / LOCK).st_ino == os.fstat(fd).st_ino:
                        break
                except FileNotFoundError:
                    pass
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
        try:
            yield d
        finally:
            os.close(fd)

    def write(self, candles, covered=None, gaps=None, checked=False):
        """Stores candles (their exchange, symbol and timeframe name the dataset), replacing
        whatever the cache held in `covered` ([start, end) in UTC ms; default: first bar to
        the end of the last). `gaps`: the ranges in `covered` without bars (default: computed
        from the bars). The candles are checked against the rules first, unless the caller
        just did (`checked`). Returns the new manifest."""
        from ..kernels import ohlcv

        ds_id = dataset_id(candles.exchange, candles.symbol, candles.timeframe)
        tf = timeframe_ms(candles.timeframe)
        t = candles.time
        if len(candles) and not checked:
            check(candles, f"{ds_id} (write)", candles.timeframe)
        if covered is None:
            if not len(candles):
                raise ValueError("write: no candles and no covered range")
            covered = (t[0], t[-1] + tf)
        start, end = int(covered[0]), int(covered[1])
        if len(candles) and (t[0] < start or t[-1] >= end):
            raise ValueError(f"write: candles from {t[0]} to {t[-1]} are outside the covered range [{start}, {end})")
        if gaps is None:
            gaps = [(start, end)] if not len(candles) else [
                (start, t[0]), *ohlcv.gaps(t, tf), (t[-1] + tf, end)]
        kind = periods.kind_for(tf)
        new_rows = {key: (lo, hi) for key, lo, hi in periods.split(t, kind)}
        table = to_table(candles)
        with self.lock(ds_id) as d:
            m = self.manifest(ds_id) or Manifest(candles.exchange, candles.symbol, candles.timeframe)
            _remove_strays(d, m)
            jobs, replaced = [], []
            for key in periods.keys_between(start, end, kind):
                old = m.partitions.get(key)
                lo, hi = new_rows.get(key, (0, 0))
                if old is None and hi == lo:
                    continue
                parts = [table.slice(lo, hi - lo)]
                if old is not None:
                    if (old.last < start or old.first >= end) and hi == lo:
                        continue  # neither old bars to drop nor new ones to add here
                    if not (start <= old.first and old.last < end):  # else all old bars are replaced
                        before, after = _outside(d / old.file, start, end)
                        parts = [before, *parts, after]
                    replaced.append(old.file)
                jobs.append((key, pa.concat_tables(parts)))
            with ThreadPoolExecutor(max_workers=min(4, max(1, len(jobs)))) as pool:
                written = list(pool.map(lambda job: (job[0], _write_partition(d, job[0], job[1])), jobs))
            for key, part in written:
                if part is None:
                    m.partitions.pop(key, None)
                else:
                    m.partitions[key] = part
            m.covered = ranges.union(m.covered, [(start, end)])
            m.gaps = ranges.union(ranges.subtract(m.gaps, [(start, end)]), ranges.intersect(gaps, [(start, end)]))
            m.save(d / MANIFEST)
            for name in replaced:
                _unlink(d / name)
        return m

    def remove(self, ds_id):
        """Deletes a dataset; False when it was not cached."""
        d = self.path(ds_id)
        if not (d / MANIFEST).exists():
            return False
        with self.lock(ds_id):
            trash = self.base / f".removed-{secrets.token_hex(6)}"
            os.replace(d, trash)
        shutil.rmtree(trash, ignore_errors=True)
        for parent in (d.parent, d.parent.parent):  # tidy empty symbol/exchange directories
            try:
                parent.rmdir()
            except OSError:
                break
        return True

    # -- reading

    def open(self, ds_id, since=None, until=None):
        """(manifest, [(key, partition, ParquetFile)]) for the partitions overlapping
        [since, until), opened and checked against the manifest (size, rows, schema)."""
        for _ in range(5):
            m = self._require(ds_id)
            d = self.path(ds_id)
            lo = -(2**62) if since is None else since
            hi = 2**62 if until is None else until
            opened = []
            try:
                for key in sorted(m.partitions):
                    part = m.partitions[key]
                    if part.last < lo or part.first >= hi:
                        continue
                    opened.append((key, part, _open_partition(d / part.file, part)))
            except FileNotFoundError:
                continue  # a writer replaced it after we read the manifest: read the new one
            return m, opened
        raise DataError(ds_id, None, None, "busy", "the dataset kept changing while being read; try again")

    def read_table(self, ds_id, since=None, until=None, columns=None):
        """An Arrow table of the bars in [since, until) (UTC ms, until exclusive), with the
        given columns (default all); only the row groups holding the range are read."""
        want = _selection(columns, since, until)[0]
        tables = list(self._partitions(ds_id, since, until, columns))
        if not tables:
            return pa.schema([SCHEMA.field(c) for c in want]).empty_table()
        return pa.concat_tables(tables)

    def read_columns(self, ds_id, columns, since=None, until=None):
        """{name: array('q'/'d')} of some columns of the bars in [since, until), filled
        partition by partition (the Arrow data of at most two is in memory at once)."""
        out = {name: array("q" if name == "time" else "d") for name in _selection(columns, since, until)[0]}
        for table in self._partitions(ds_id, since, until, columns):
            for name, col in out.items():
                append_column(col, table.column(name))
        return out

    def read(self, ds_id, since=None, until=None):
        """Candles (array columns) of the bars in [since, until)."""
        exchange, symbol, timeframe = parse_dataset_id(ds_id)
        cols = self.read_columns(ds_id, COLUMNS, since, until)
        return Candles(*cols.values(), symbol=symbol, timeframe=timeframe, exchange=exchange)

    def _partitions(self, ds_id, since, until, columns):
        """One Arrow table per partition overlapping the range, in order; the next one is
        read (by pyarrow's threads) while the caller uses the current one."""
        want, read_cols, lo, hi = _selection(columns, since, until)
        _, opened = self.open(ds_id, since, until)

        def read(item):
            key, part, pf = item
            groups = _groups_between(pf, lo, hi)
            if not groups:
                return None
            try:
                return _trim(pf.read_row_groups(groups, columns=read_cols), lo, hi, want)
            except (OSError, pa.ArrowException) as e:
                raise corrupted(pf.path, f"cannot read it ({e})") from None

        with ThreadPoolExecutor(max_workers=2) as pool:
            ahead = [pool.submit(read, item) for item in opened[:2]]
            for item in opened[2:] + [None, None]:
                if not ahead:
                    break
                table = ahead.pop(0).result()
                if item is not None:
                    ahead.append(pool.submit(read, item))
                if table is not None:
                    yield table
    def stream(self, ds_id, since=None, until=None, columns=None):
        """The bars of [since, until) as a sequence of Arrow tables of at most one row group
        (131,072 rows) each: for datasets larger than memory."""
        yield from self._row_groups(ds_id, since, until, columns)

    def stream_candles(self, ds_id, since=None, until=None):
        """Like `stream`, as Candles."""
        exchange, symbol, timeframe = parse_dataset_id(ds_id)
        for table in self.stream(ds_id, since, until):
            yield to_candles(table, symbol=symbol, timeframe=timeframe, exchange=exchange)

    def _row_groups(self, ds_id, since, until, columns):
        want, read_cols, lo, hi = _selection(columns, since, until)
        _, opened = self.open(ds_id, since, until)
        for key, part, pf in opened:
            for g in _groups_between(pf, lo, hi):
                try:
                    table = _trim(pf.read_row_group(g, columns=read_cols), lo, hi, want)
                except (OSError, pa.ArrowException) as e:
                    raise corrupted(pf.path, f"cannot read it ({e})") from None
                if table.num_rows:
                    yield table


def _selection(columns, since, until):
    """(columns wanted, columns to read: with time, low bound, high bound)."""
    want = list(columns or COLUMNS)
    unknown = [c for c in want if c not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown column(s) {', '.join(unknown)}: expected some of {', '.join(COLUMNS)}")
    read_cols = want if "time" in want else ["time", *want]
    return want, read_cols, -(2**62) if since is None else since, 2**62 if until is None else until


def _open_partition(path, part):
    source = pa.OSFile(str(path), "r")  # not memory-mapped: mapped pages would count as this process's memory
    try:
        if source.size() != part.bytes:
            raise corrupted(path, f"the file has {source.size()} bytes, the manifest says {part.bytes} (truncated or overwritten)")
        try:
            pf = pq.ParquetFile(source, page_checksum_verification=True)
        except (OSError, pa.ArrowException) as e:
            raise corrupted(path, f"not a readable Parquet file ({e})") from None
        md = pf.metadata
        if md.num_rows != part.rows or md.schema.to_arrow_schema().remove_metadata() != SCHEMA.remove_metadata():
            raise corrupted(path, f"it holds {md.num_rows} rows of {md.schema.names}, the manifest says {part.rows} rows")
    except DataError:
        source.close()
        raise
    pf.path = path
    return pf


def _groups_between(pf, lo, hi):
    md = pf.metadata
    out = []
    for i in range(md.num_row_groups):
        stats = md.row_group(i).column(0).statistics
        if stats is not None and stats.has_min_max and (stats.max < lo or stats.min >= hi):
            continue
        out.append(i)
    return out


def _times(chunk):
    buf = chunk.buffers()[1]
    return memoryview(buf)[chunk.offset * 8 : (chunk.offset + len(chunk)) * 8].cast("q")


def _trim(table, lo, hi, want):
    """Rows of `table` (sorted by time) in [lo, hi), with the `want` columns."""
    chunks = table.column("time").chunks
    if chunks:
        first, last = _times(chunks[0]), _times(chunks[-1])
        start = bisect_left(first, lo)
        stop = table.num_rows - (len(last) - bisect_left(last, hi))
        if start > 0 or stop < table.num_rows:
            table = table.slice(start, max(0, stop - start))
    return table.select(want)


def _outside(path, start, end):
    """The rows of a partition file before `start` and from `end` on."""
    try:
        table = pq.ParquetFile(path, page_checksum_verification=True).read()
    except (OSError, pa.ArrowException) as e:
        raise corrupted(path, f"cannot read it to merge new bars ({e})") from None
    times = table.column("time").combine_chunks()
    view = _times(times)
    a, b = bisect_left(view, start), bisect_left(view, end)
    return table.slice(0, a), table.slice(b)


def _write_partition(directory, key, table):
    """Writes a new partition file; its Partition (None for no rows)."""
    if table.num_rows == 0:
        return None
    table = table.cast(SCHEMA)
    name = f"{key}.{secrets.token_hex(4)}.parquet"
    tmp = directory / f".{name}.tmp"
    with open(tmp, "wb") as f:
        sink = _Checksummed(f)
        pq.write_table(table, sink, **PARQUET_OPTIONS)
    os.replace(tmp, directory / name)
    times = table.column("time")
    return Partition(file=name, rows=table.num_rows, first=times[0].as_py(), last=times[-1].as_py(), bytes=sink.size, crc32=sink.crc)


class _Checksummed(io.RawIOBase):
    """A file being written, with the CRC-32 and size of what went through (no second pass)."""

    def __init__(self, f):
        self.f, self.crc, self.size = f, 0, 0

    def writable(self):
        return True

    def write(self, data):
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        return self.f.write(data)


def _remove_strays(directory, manifest):
    """Deletes files no manifest names: left by a writer that did not finish."""
    keep = {MANIFEST, LOCK, *(p.file for p in manifest.partitions.values())}
    for entry in directory.iterdir():
        if entry.name not in keep and entry.is_file():
            _unlink(entry)


def _unlink(path):
    try:
        path.unlink()
    except FileNotFoundError:
        pass
