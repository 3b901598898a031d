"""`data verify`: re-read every cached file and check it against its manifest and the rules.

Per partition: the file exists, has the recorded size and CRC-32, is readable Parquet with
the cache schema, holds the recorded rows, first and last bar,
inside its period, and passes the validity rules (sorted unique times, consistent timeframe,
finite values, high/low bounds, volume). Per dataset: partitions do not overlap, and the
recorded gaps are exactly the covered ranges without bars. Each problem comes with its fix;
`fix=True` applies it: a damaged partition is dropped together with its period's coverage,
so the next fetch fetches that range again; stray files are deleted.
"""

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from ...candles import timeframe_ms
from . import periods, ranges
from ...kernels.checksum import crc32
from ..arrow import SCHEMA, to_candles
from ..errors import DataError
from .manifest import LOCK, MANIFEST, remove_strays, unlink


@dataclass
class Problem:
    dataset: str
    file: str  # "" for the dataset as a whole
    problem: str
    fix: str


def verify(cache, ids=None, fix=False):
    """Problems found in the given datasets (default: all); with `fix`, repaired."""
    problems = []
    for ds_id in ids or cache.ids():
        problems.extend(_verify_dataset(cache, ds_id, fix))
    return problems


def _verify_dataset(cache, ds_id, fix):
    d = cache.path(ds_id)
    try:
        m = cache.manifest(ds_id)
    except DataError as e:
        action = "remove the dataset (`cracktrader data remove " + ds_id + "`) and fetch or import it again"
        if fix:
            cache.remove(ds_id)
        return [Problem(ds_id, MANIFEST, e.detail.split(";")[0], "removed" if fix else action)]
    if m is None:
        return [Problem(ds_id, "", "not in the cache", "")]
    tf = timeframe_ms(m.timeframe)
    problems, damaged, runs = [], [], []
    for key in sorted(m.partitions):
        part = m.partitions[key]
        error, times = _check_partition(d / part.file, key, part, m, tf)
        if error:
            damaged.append(key)
            problems.append(Problem(ds_id, part.file, error, ""))
        else:
            runs.extend(times)
    if not damaged:
        expected = ranges.subtract(m.covered, ranges.normalize(runs))
        if expected != [tuple(g) for g in m.gaps]:
            problems.append(Problem(ds_id, MANIFEST, f"recorded gaps ({len(m.gaps)}) differ from the bars' gaps ({len(expected)})", ""))
            if fix:
                with cache.lock(ds_id):
                    fresh = cache.manifest(ds_id)
                    if fresh.to_json() == m.to_json():  # else a write came in between: leave it
                        fresh.gaps = expected
                        fresh.save(d / MANIFEST)
    strays = [e.name for e in d.iterdir() if e.is_file() and e.name not in {MANIFEST, LOCK, *(p.file for p in m.partitions.values())}]
    for name in strays:
        problems.append(Problem(ds_id, name, "stray file (left by an interrupted write)", ""))
    if fix and (damaged or strays):
        with cache.lock(ds_id):
            fresh = cache.manifest(ds_id)
            for key in damaged:
                part = fresh.partitions.pop(key, None)
                start, end = periods.bounds(key)
                fresh.covered = ranges.subtract(fresh.covered, [(start, end)])
                fresh.gaps = ranges.subtract(fresh.gaps, [(start, end)])
                if part:
                    unlink(d / part.file)
            fresh.save(d / MANIFEST)
            remove_strays(d, fresh)
    for p in problems:
        if p.file in strays:
            p.fix = "deleted" if fix else "`cracktrader data verify --fix` deletes it"
        elif p.file and p.file != MANIFEST:
            key = next(k for k, part in m.partitions.items() if part.file == p.file)
            start, end = periods.bounds(key)
            again = f"`cracktrader data fetch {m.exchange} {m.symbol} {m.timeframe}` over period {key}, or import it again"
            p.fix = f"dropped: {again}" if fix else f"`cracktrader data verify --fix` drops it; then {again}"
        elif not p.fix:
            p.fix = "fixed" if fix else "`cracktrader data verify --fix` repairs the manifest"
    return problems


def _check_partition(path, key, part, m, tf):
    """(error or None, [(start, end) runs of consecutive bars])."""
    from ...kernels import ohlcv

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "missing file", []
    if len(data) != part.bytes:
        return f"size {len(data)} bytes, manifest says {part.bytes} (truncated or overwritten)", []
    if crc32(data) != part.crc32:
        return "checksum mismatch (the file's bytes changed)", []
    try:
        table = pq.ParquetFile(pa.BufferReader(data)).read()  # (read_table loads pandas)
    except (OSError, pa.ArrowException) as e:
        return f"unreadable Parquet ({e})", []
    if table.schema.remove_metadata() != SCHEMA.remove_metadata():
        return f"schema {table.schema.names} differs from the cache schema", []
    c = to_candles(table)
    if len(c) != part.rows or not len(c) or c.time[0] != part.first or c.time[-1] != part.last:
        return f"holds {len(c)} rows, manifest says {part.rows} from {part.first} to {part.last}", []
    start, end = periods.bounds(key)
    if c.time[0] < start or c.time[-1] >= end:
        return f"bars outside period {key}", []
    v = ohlcv.validate(c.time, c.open, c.high, c.low, c.close, c.volume, tf)
    if v:
        row, field, rule, detail = v
        return f"row {row + 1}, {field}: {detail} [{rule}]", []
    holes = ohlcv.gaps(c.time, tf)
    edges = [c.time[0], *(x for g in holes for x in g), c.time[-1] + tf]
    return None, list(zip(edges[::2], edges[1::2]))

