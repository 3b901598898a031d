"""The candle cache: Parquet files partitioned by exchange / symbol / timeframe / period, with
a manifest per dataset (see manifest.py). Server only: the methods that read or write
partition files import pyarrow (listing and removing datasets need none).

Layout: `<root>/candles/<exchange>/<symbol as in dataset ids>/<timeframe>/` holds
`manifest.json`, `.lock` and one `<period>.<random>.parquet` per period. The root is
CRACKTRADER_CACHE_DIR, or the user's cache directory (`~/.cache/cracktrader`, ...).

Writes hold an exclusive lock on the dataset (flock), write new partition files under new
names (temporary file, rename), then replace the manifest (the commit: temporary file, fsync,
rename), then delete the files it no longer names. A writer killed at any point leaves the
previous manifest and every file it names intact; leftovers are removed by the next write.
Partition files are not fsynced (this is a cache, and an fsync costs as much as writing): after
a power loss the newest files may be incomplete, which reads and `data verify` detect (size,
CRC-32 of the whole file) and report with the fix. Reads take no lock: they read the
manifest, then open its files (an open file stays readable if a writer deletes it, and a file
deleted before it was opened makes the read start over).
"""

import os
import secrets
import shutil
import sys
import threading
from bisect import bisect_left
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

from ...candles import COLUMNS, Candles, timeframe_ms
from ..checks import check
from ..errors import DataError
from ..ids import dataset_id, encode_symbol, parse_dataset_id
from . import periods, ranges
from .manifest import LOCK, MANIFEST, Manifest, corrupted, remove_strays, unlink


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
        from ...kernels import ohlcv
        from ..arrow import to_table
        from .partition_files import outside, write_partition

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
            remove_strays(d, m)
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
                        before, after = outside(d / old.file, old, start, end)
                        parts = [before, *parts, after]
                    replaced.append(old.file)
                jobs.append((key, parts))
            written = list(_workers().map(lambda job: (job[0], write_partition(d, job[0], job[1])), jobs))
            for key, part in written:
                if part is None:
                    m.partitions.pop(key, None)
                else:
                    m.partitions[key] = part
            m.covered = ranges.union(m.covered, [(start, end)])
            m.gaps = ranges.union(ranges.subtract(m.gaps, [(start, end)]), ranges.intersect(gaps, [(start, end)]))
            m.save(d / MANIFEST)
            for name in replaced:
                unlink(d / name)
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

    def open(self, ds_id, since=None, until=None, mapped=True):
        """(manifest, [(key, partition, PartitionFile)]) for the partitions overlapping
        [since, until), in time order, opened and their sizes checked against the manifest
        (their checksums are checked before any use: see PartitionFile)."""
        from .partition_files import PartitionFile

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
                    opened.append((key, part, PartitionFile(d / part.file, part, mapped)))
            except FileNotFoundError:
                for _, _, pf in opened:
                    pf.close()
                continue  # a writer replaced it after we read the manifest: read the new one
            return m, opened
        raise DataError(ds_id, None, None, "busy", "the dataset kept changing while being read; try again")

    def read_table(self, ds_id, since=None, until=None, columns=None):
        """An Arrow table of the bars in [since, until) (UTC ms, until exclusive), with the
        given columns (default all); only the row groups holding the range are read."""
        import pyarrow as pa

        from ..arrow import SCHEMA

        want, read_cols, lo, hi = _selection(columns, since, until)
        _, opened = self.open(ds_id, lo, hi)
        files = [pf for _, _, pf in opened]
        try:
            tables = _run(lambda pf: pf.read(lo, hi, read_cols, want), files)
        finally:
            _close(files)
        tables = [t for t in tables if t.num_rows]
        if not tables:
            return SCHEMA.empty_table().select(want)
        return pa.concat_tables(tables)

    def read_columns(self, ds_id, columns, since=None, until=None):
        """{name: read-only memoryview} of some columns of the bars in [since, until): format
        'q' for time, 'd' for the others, each one contiguous buffer in Arrow's memory. The
        row groups are decoded in parallel, each copied into place as soon as it is decoded
        (one copy, from the CPU's cache)."""
        import pyarrow as pa

        want, read_cols, lo, hi = _selection(columns, since, until)
        files, groups = self._row_groups(ds_id, lo, hi)
        offsets = [0]
        for _, _, rows in groups:
            offsets.append(offsets[-1] + rows)
        buffers = {name: pa.allocate_buffer(8 * offsets[-1]) for name in read_cols}

        def fill(i):
            pf, group, rows = groups[i]
            table = pf.read_group(group, read_cols)  # whole: the range is cut below
            if table.num_rows != rows:
                raise corrupted(pf.path, f"row group {group} holds {table.num_rows} rows, its metadata says {rows}")
            for name in read_cols:
                _copy_into(buffers[name], offsets[i], table.column(name))

        try:
            _run(fill, range(len(groups)))
        finally:
            _close(files)
        # Only the first and last row groups can hold bars outside the range.
        times = memoryview(buffers["time"]).cast("B").cast("q")
        start = bisect_left(times, lo)
        stop = bisect_left(times, hi, start)
        out = {}
        for name in want:
            view = memoryview(buffers[name]).toreadonly()[8 * start : 8 * stop]
            if 2 * (stop - start) < offsets[-1]:  # a short range of long row groups: keep only what it needs
                view = memoryview(pa.py_buffer(view.tobytes())).toreadonly()
            out[name] = view.cast("B").cast("q" if name == "time" else "d")
        return out

    def _row_groups(self, ds_id, lo, hi):
        """(the opened partition files, [(file, row group, rows)] that may hold bars in
        [lo, hi), in time order): each file is checked whole first, in parallel."""
        _, opened = self.open(ds_id, lo, hi)
        files = [pf for _, _, pf in opened]
        try:
            found = _run(lambda pf: [(pf, g, pf.parquet().metadata.row_group(g).num_rows) for g in pf.row_groups(lo, hi)], files)
        except BaseException:
            _close(files)
            raise
        return files, [item for items in found for item in items]

    def read(self, ds_id, since=None, until=None):
        """Candles of the bars in [since, until): read-only memoryview columns (see candles.py)."""
        exchange, symbol, timeframe = parse_dataset_id(ds_id)
        cols = self.read_columns(ds_id, COLUMNS, since, until)
        return Candles(*cols.values(), symbol=symbol, timeframe=timeframe, exchange=exchange)

    def stream(self, ds_id, since=None, until=None, columns=None):
        """The bars of [since, until) as a sequence of Arrow tables of at most one row group
        (131,072 rows) each: for datasets larger than memory. Each file is checked whole
        before its first row group is decoded."""
        want, read_cols, lo, hi = _selection(columns, since, until)
        _, opened = self.open(ds_id, lo, hi, mapped=False)
        files = [pf for _, _, pf in opened]
        try:
            for pf in files:
                for g in pf.row_groups(lo, hi):
                    table = pf.read(lo, hi, read_cols, want, groups=[g])
                    if table.num_rows:
                        yield table
        finally:
            _close(files)

    def stream_candles(self, ds_id, since=None, until=None):
        """Like `stream`, as Candles."""
        from ..arrow import to_candles

        exchange, symbol, timeframe = parse_dataset_id(ds_id)
        for table in self.stream(ds_id, since, until):
            yield to_candles(table, symbol=symbol, timeframe=timeframe, exchange=exchange)


def _selection(columns, since, until):
    """(columns wanted, columns to read: with time, low bound, high bound)."""
    want = list(columns or COLUMNS)
    unknown = [c for c in want if c not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown column(s) {', '.join(unknown)}: expected some of {', '.join(COLUMNS)}")
    read_cols = want if "time" in want else ["time", *want]
    return want, read_cols, -(2**62) if since is None else since, 2**62 if until is None else until


def _run(fn, items):
    """fn(item) for every item on the worker threads (pyarrow decodes without the GIL): the
    results in order, or the first error once no worker is still busy with the others."""
    pool = _workers()
    futures = [pool.submit(fn, item) for item in items]
    try:
        return [f.result() for f in futures]
    finally:
        wait(futures)


def _close(files):
    for pf in files:
        pf.close()


_pool, _pool_pid, _pool_lock = None, None, threading.Lock()


def _workers():
    """The threads that read and write partition files, started once per process: a pool per
    call costs milliseconds of thread starts per read."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():  # a forked child has none of the threads
            _pool = ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="cracktrader-cache")
            _pool_pid = os.getpid()
        return _pool


def _copy_into(buffer, row, column):
    """Copies an Arrow column of 8-byte values without nulls into a mutable Arrow buffer from
    `row` on. memmove through ctypes releases the GIL, so both readers copy at once."""
    import ctypes

    for chunk in column.chunks:
        n = len(chunk)
        if n:
            if not (0 <= row and 8 * (row + n) <= buffer.size):  # never: the callers size the buffer
                raise IndexError(f"copy of {n} rows at row {row} overruns a buffer of {buffer.size // 8}")
            ctypes.memmove(buffer.address + 8 * row, chunk.buffers()[1].address + 8 * chunk.offset, 8 * n)
            row += n
