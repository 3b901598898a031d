"""The session's journal: one SQLite file in WAL mode, the session's memory across crashes and
what every other process reads (status, a host's API, a UI).

Tables:
- `meta(key, value)`: schema version, session id, config (JSON, no secrets), creation time.
- `events(seq, time, kind, data)`: the numbered log of everything the session saw and did
  (kinds and fields: events.py). Readers follow it with `seq > last seen`.
- `orders(cid, data)`: each order's latest record, by client order id.
- `fills(trade_id, cid, data)`: every fill once (an exchange's trade id is unique).
- `bars(time, open, high, low, close, volume, warmup)`: the bars the session used.
- `state(id = 1, data)`: the latest snapshot (state.py), for `live status` and the host.
- `commands(id, time, command, taken)`: commands from other processes (stop, kill, resume).

Writes gather in one transaction until `commit()` (events and order records wait in memory
until then and go in one statement each: a decision's six of them were most of its SQLite
time); an order's record is committed before its
request leaves, with `commit(durable=True)`: the WAL is then flushed to the disk (fdatasync),
so the record survives a power cut, as synchronous=FULL would make every commit. Other commits
(once a step) use synchronous=NORMAL, which in WAL mode survives the process being killed; what
a power cut could take from them is re-derived on restart (bars, the exchange's fills). A
journal opened with `durable=False` never flushes (benchmarks). A journal of another schema
version is migrated (MIGRATIONS) or refused with a message, never misread.

The WAL is copied into the database (a checkpoint) only when the session calls `checkpoint()`,
after a bar's work: SQLite's automatic checkpoint runs inside whichever commit crosses its
threshold, which may be an order's record before its request (milliseconds: two flushes and a
copy of the pages). The commit that then starts the WAL over (it flushes the WAL's new header)
is made there too.
"""

import json
import os
import sqlite3
from pathlib import Path

from .config import LiveError

SCHEMA_VERSION = 1
APPLICATION_ID = 0x43544A31  # "CTJ1": this file is a CrackTrader journal
MIGRATIONS = {}  # version -> function(connection) bringing a journal to version + 1
_json = json.JSONEncoder(separators=(",", ":")).encode  # (json.dumps with separators builds an encoder per call)
EVENTS_PAGE = 1_000  # events a replay reads at a time (an order's first is ~1.6 kB as a dict)
CHECKPOINT_EVERY = 100  # commits between checkpoints: a decision writes ~12 pages; SQLite's default is 1,000 pages

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, kind TEXT NOT NULL,
                     data TEXT NOT NULL);
CREATE TABLE orders (cid TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE fills (trade_id TEXT PRIMARY KEY, cid TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE bars (time INTEGER PRIMARY KEY, open REAL, high REAL, low REAL, close REAL, volume REAL,
                   warmup INTEGER NOT NULL);
CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
CREATE TABLE commands (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, command TEXT NOT NULL,
                       taken INTEGER NOT NULL DEFAULT 0);
"""


class JournalError(LiveError):
    pass


def _connect(path, readonly=False):
    uri = f"file:{Path(path).resolve()}?mode=ro" if readonly else str(path)
    db = sqlite3.connect(uri, uri=readonly, isolation_level=None, timeout=10, check_same_thread=False)
    db.execute("PRAGMA busy_timeout = 10000")
    return db


def check_version(db, path):
    """Refuses what is not a journal, or one of a schema this version cannot read."""
    try:
        app = db.execute("PRAGMA application_id").fetchone()[0]
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() if app == APPLICATION_ID else None
    except sqlite3.DatabaseError as e:
        raise JournalError(f"{path}: not a CrackTrader journal ({e})") from None
    if app != APPLICATION_ID or row is None:
        raise JournalError(f"{path}: not a CrackTrader journal")
    version = int(row[0])
    if version > SCHEMA_VERSION:
        raise JournalError(f"{path}: written by a newer CrackTrader (journal schema {version}; this version reads "
                           f"schema {SCHEMA_VERSION}): upgrade CrackTrader to resume this session")
    return version


class Journal:
    def __init__(self, path, db, durable=True):
        self.path, self.db, self.durable = Path(path), db, durable
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA wal_autocheckpoint = 0")  # checkpoint() does it, when the session has time
        self._open = False
        self._wal = None  # a descriptor of the -wal file, to flush it
        self._commits = 0  # since the last checkpoint
        self._events = []  # (time, kind, JSON) written at the next commit (or read)
        self._orders = {}  # client order id -> its record (a dict the order path keeps up to date)

    # --- opening ------------------------------------------------------------------------------
    @classmethod
    def create(cls, path, meta, durable=True):
        """A new journal at `path` (which must not exist) with `meta` ({key: JSON value})."""
        path = Path(path)
        if path.exists():
            raise JournalError(f"{path} already exists")
        path.parent.mkdir(parents=True, exist_ok=True)
        db = _connect(path)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("BEGIN")
        for statement in SCHEMA.strip().split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        rows = {"schema_version": SCHEMA_VERSION, **meta}
        db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in rows.items()])
        db.execute("COMMIT")
        return cls(path, db, durable)

    @classmethod
    def open(cls, path, durable=True):
        path = Path(path)
        if not path.exists():
            raise JournalError(f"{path}: no such journal")
        db = _connect(path)
        version = check_version(db, path)
        if version < SCHEMA_VERSION:
            _migrate(db, path, version)
        db.execute("PRAGMA journal_mode = WAL")
        return cls(path, db, durable)

    def close(self):
        if self._open or self._events or self._orders:
            self.commit(durable=True)
        self.db.close()
        if self._wal is not None:
            os.close(self._wal)
            self._wal = None

    # --- writing: all into the open transaction until commit() --------------------------------
    def _begin(self):
        if not self._open:
            self.db.execute("BEGIN")
            self._open = True

    def event(self, kind, data, time):
        """Appends an event (its number is given at the commit)."""
        self._events.append((int(time), kind, _json(data)))

    def put_order(self, cid, record):
        """Records an order's latest state: `record` as it is when the transaction commits."""
        self._orders[cid] = record

    def _flush(self):
        """Writes the events and order records waiting, into the open transaction."""
        if self._events or self._orders:
            self._begin()
            if self._events:
                self.db.executemany("INSERT INTO events (time, kind, data) VALUES (?, ?, ?)", self._events)
                self._events = []
            if self._orders:
                self.db.executemany("INSERT OR REPLACE INTO orders VALUES (?, ?)",
                                    [(cid, _json(record)) for cid, record in self._orders.items()])
                self._orders = {}

    def put_fill(self, trade_id, cid, record):
        """Records a fill; False if this trade id was recorded before."""
        self._begin()
        cur = self.db.execute("INSERT OR IGNORE INTO fills VALUES (?, ?, ?)",
                              (str(trade_id), cid, _json(record)))
        return cur.rowcount == 1

    def put_bars(self, rows, warmup=False):
        self._begin()
        self.db.executemany("INSERT OR IGNORE INTO bars VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [(*row, int(warmup)) for row in rows])

    def set_state(self, state):
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO state VALUES (1, ?)", (_json(state),))

    def set_meta(self, key, value):
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def take_command(self, command_id):
        self._begin()
        self.db.execute("UPDATE commands SET taken = 1 WHERE id = ?", (command_id,))

    def commit(self, durable=False):
        """Ends the transaction (nothing to do if nothing was written); `durable`: on the disk
        when this returns (an order's record, before its request leaves)."""
        self._flush()
        if self._open:
            self.db.execute("COMMIT")
            self._open = False
            self._commits += 1
        if durable and self.durable:
            if self._wal is None:
                self._wal = os.open(f"{self.path}-wal", os.O_RDONLY)
            os.fdatasync(self._wal)

    def checkpoint(self):
        """Copies the WAL's committed pages into the database once CHECKPOINT_EVERY commits have
        gathered (PASSIVE: readers are never waited for). For when no request is waiting."""
        if self._commits >= CHECKPOINT_EVERY and not self._open:
            busy, frames, copied = self.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            # A complete checkpoint lets the next commit start the WAL over, which writes its header
            # and flushes it (fsync, even without synchronous=FULL): let that commit be this one,
            # not an order's record before its request.
            self.set_meta("last_checkpoint", {"frames": frames, "copied": copied})
            self.commit()
            self._commits = 0

    # --- reading ------------------------------------------------------------------------------
    def meta(self, key, default=None):
        return read_meta(self.db, key, default)

    def events(self, after=0, kinds=None, limit=None):
        self._flush()
        return read_events(self.db, after, kinds, limit)

    def each_event(self, kinds=None):
        """The events of `kinds`, oldest first, read EVENTS_PAGE at a time as they are used (a
        long journal's replay never holds them all; no read is left open while the replay writes)."""
        after, full = 0, True
        while full:
            events = self.events(after, kinds, EVENTS_PAGE)
            full, after = len(events) == EVENTS_PAGE, events[-1]["seq"] if events else after
            yield from events
            del events  # (one page at a time: this one goes before the next is read)

    def last_event(self, kind):
        """The latest event of `kind`, or None."""
        self._flush()
        row = self.db.execute("SELECT seq, time, kind, data FROM events WHERE kind = ? ORDER BY seq DESC LIMIT 1",
                              (kind,)).fetchone()
        return row and {"seq": row[0], "time": row[1], "kind": row[2], "data": json.loads(row[3])}

    def orders(self, cids=None):
        """{client order id: record}: every order's, or those of `cids` (a set)."""
        self._flush()
        rows = self.db.execute("SELECT cid, data FROM orders")
        return {cid: json.loads(data) for cid, data in rows if cids is None or cid in cids}

    def tracked_orders(self, statuses):
        """The ids of the orders whose latest state at the exchange is one of `statuses`."""
        self._flush()
        rows = self.db.execute("SELECT cid, data FROM orders")
        return [cid for cid, data in rows if json.loads(data).get("exchange", {}).get("status") in statuses]

    def has_order(self, cid):
        self._flush()
        return self.db.execute("SELECT 1 FROM orders WHERE cid = ?", (cid,)).fetchone() is not None

    def fills(self, cids=None):
        """[(trade id, client order id, record)] in the order they were recorded: every fill, or
        those of the orders in `cids` (a set)."""
        rows = self.db.execute("SELECT trade_id, cid, data FROM fills ORDER BY rowid")
        return [(t, c, json.loads(d)) for t, c, d in rows if cids is None or c in cids]

    def bars(self, warmup):
        return self.db.execute("SELECT time, open, high, low, close, volume FROM bars WHERE warmup = ? ORDER BY time",
                               (int(warmup),)).fetchall()

    def commands(self):
        """Commands other processes sent that the session has not taken: [(id, command)]."""
        return self.db.execute("SELECT id, command FROM commands WHERE taken = 0 ORDER BY id").fetchall()


def _migrate(db, path, version):
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise JournalError(f"{path}: journal schema {version} is older than any this version can migrate "
                               f"(it reads schema {SCHEMA_VERSION}): finish that session with the CrackTrader "
                               "that started it")
        db.execute("BEGIN")
        step(db)
        version += 1
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (json.dumps(version),))
        db.execute("COMMIT")


# --- reading from other processes --------------------------------------------------------------
def read_meta(db, key, default=None):
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else default


def read_events(db, after=0, kinds=None, limit=None):
    """[{"seq", "time", "kind", "data"}] after event `after`, oldest first."""
    return [{"seq": s, "time": t, "kind": k, "data": json.loads(d)}
            for s, t, k, d in db.execute(*_events_query(after, kinds, limit))]


def _events_query(after, kinds, limit=None):
    sql, args = "SELECT seq, time, kind, data FROM events WHERE seq > ?", [after]
    if kinds:
        sql += f" AND kind IN ({', '.join('?' * len(kinds))})"
        args += list(kinds)
    sql += " ORDER BY seq"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(int(limit))
    return sql, args


def reader(path):
    """A read-only connection to a journal another process writes (checked like `open`)."""
    path = Path(path)
    if not path.exists():
        raise JournalError(f"{path}: no such journal")
    db = _connect(path, readonly=True)
    check_version(db, path)
    return db


def writer(path):
    """A connection for sending commands to a journal (checked like `open`)."""
    path = Path(path)
    if not path.exists():
        raise JournalError(f"{path}: no such journal")
    db = _connect(path)
    check_version(db, path)
    return db
