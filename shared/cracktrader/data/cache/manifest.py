"""A dataset's manifest: what the cache holds for one exchange/symbol/timeframe.

`manifest.json` in the dataset's directory lists its partition files (rows, first and last
bar, size, CRC-32 of the file), the time ranges fetched or imported (`covered`) and, within
them, the ranges without bars (`gaps`: the exchange had none, or the imported file did not).
Replacing this file is the commit point of every write: a partition file is only in use once
the manifest names it, and a file it does not name is a stray an interrupted writer left.
"""

import json
import os
from dataclasses import asdict, dataclass, field

from ..errors import DataError
from . import ranges

VERSION = 1
MANIFEST = "manifest.json"
LOCK = ".lock"


@dataclass
class Partition:
    file: str
    rows: int
    first: int  # first bar's time, UTC ms
    last: int
    bytes: int
    crc32: int


@dataclass
class Manifest:
    exchange: str
    symbol: str
    timeframe: str
    covered: list = field(default_factory=list)
    gaps: list = field(default_factory=list)
    partitions: dict = field(default_factory=dict)  # period key -> Partition

    @property
    def rows(self):
        return sum(p.rows for p in self.partitions.values())

    @property
    def first(self):
        return min((p.first for p in self.partitions.values()), default=None)

    @property
    def last(self):
        return max((p.last for p in self.partitions.values()), default=None)

    @property
    def bytes(self):
        return sum(p.bytes for p in self.partitions.values())

    def to_json(self):
        doc = asdict(self)
        doc["version"] = VERSION
        doc["covered"] = [list(r) for r in self.covered]
        doc["gaps"] = [list(r) for r in self.gaps]
        return json.dumps(doc, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text):
        doc = json.loads(text)
        if doc.get("version") != VERSION:
            raise ValueError(f"unsupported manifest version {doc.get('version')!r}")
        parts = {k: Partition(**p) for k, p in doc["partitions"].items()}
        return cls(doc["exchange"], doc["symbol"], doc["timeframe"], ranges.normalize(doc["covered"]), ranges.normalize(doc["gaps"]), parts)

    def save(self, path):
        """Atomically replaces `path` (temporary file, fsync, rename, fsync of the directory)."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "w") as f:
            f.write(self.to_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)


def corrupted(path, reason):
    """The error for a cached file that is not what its manifest says (or an unreadable manifest)."""
    return DataError(str(path), None, None, "corrupted_file",
                     f"{reason}; run `cracktrader data verify --fix` to drop it, then fetch or import that range again")


def remove_strays(directory, manifest):
    """Deletes files no manifest names: left by a writer that did not finish."""
    keep = {MANIFEST, LOCK, *(p.file for p in manifest.partitions.values())}
    for entry in directory.iterdir():
        if entry.name not in keep and entry.is_file():
            unlink(entry)


def unlink(path):
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
