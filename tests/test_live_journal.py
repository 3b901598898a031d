"""The journal: a SQLite file in WAL mode with synchronous order records and a schema version;
another version's journal is migrated or refused, never misread; other processes read its
numbered events and state while the session writes."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from cracktrader.live import journal as journal_module
from cracktrader.live import read_events, read_state
from cracktrader.live.journal import Journal, JournalError
from support.live import bar_time, config, drive, session, sim_fixture


sim = sim_fixture(fee_asset="quote")


def make(tmp_path, name="j"):
    j = Journal.create(tmp_path / name, {"session_id": "abcd1234"})
    j.event("session", {"what": "started"}, 1)
    j.commit()
    j.close()
    return tmp_path / name


def test_wal_synchronous_and_versioned(tmp_path, monkeypatch):
    path = make(tmp_path)
    j = Journal.open(path)
    assert j.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    flushed = []
    real = journal_module.os.fdatasync
    monkeypatch.setattr(journal_module.os, "fdatasync", lambda fd: flushed.append(os.readlink(f"/proc/self/fd/{fd}")) or real(fd))
    j.event("bar", {}, 2)
    j.commit()
    assert flushed == []  # a step's commit: survives the process, not a power cut
    j.event("order", {"status": "sending"}, 3)
    j.commit(durable=True)
    assert flushed == [f"{path}-wal"]  # an order's record: on the disk before its request leaves
    quick = Journal.open(path, durable=False)
    quick.event("order", {}, 4)
    quick.commit(durable=True)
    assert len(flushed) == 1
    assert j.meta("schema_version") == journal_module.SCHEMA_VERSION
    assert j.db.execute("PRAGMA application_id").fetchone()[0] == journal_module.APPLICATION_ID


def test_an_order_record_is_written_as_it_is_at_the_commit(tmp_path):
    """Events and order records wait for the commit (one statement each): in their order, the
    record as it is then, seen by this connection's reads at once and by others after the commit."""
    path = make(tmp_path)
    j = Journal.open(path)
    record = {"cid": "c1", "status": "submitted", "exchange": {}}
    j.put_order("c1", record)
    j.event("order", {"cid": "c1", "status": "submitted"}, 2)
    record["exchange"]["status"] = "sending"
    j.put_order("c1", record)
    j.event("order", {"cid": "c1", "status": "sending"}, 3)
    record["status"] = "accepted"  # changed after its last put_order: written as it is at the commit
    assert [e["data"].get("status") for e in j.events(1)] == ["submitted", "sending"]  # this connection reads them
    assert read_events(path, 1) == []  # nothing committed yet
    j.commit()
    assert [(e["time"], e["data"]["status"]) for e in read_events(path, 1)] == [(2, "submitted"), (3, "sending")]
    other = journal_module.reader(path)
    (data,) = other.execute("SELECT data FROM orders WHERE cid = 'c1'").fetchone()
    other.close()
    assert json.loads(data) == {"cid": "c1", "status": "accepted", "exchange": {"status": "sending"}}
    j.event("log", {"text": "last words"}, 4)
    j.close()  # commits what waits
    assert read_events(path, 3)[0]["data"] == {"text": "last words"}


def set_version(path, version):
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    db.commit()
    db.close()


def test_other_versions_are_migrated_or_refused(tmp_path, monkeypatch):
    path = make(tmp_path)
    set_version(path, journal_module.SCHEMA_VERSION + 1)
    with pytest.raises(JournalError, match=r"written by a newer CrackTrader \(journal schema 2; this version reads schema 1\)"):
        Journal.open(path)
    with pytest.raises(JournalError, match="newer CrackTrader"):
        read_state(path)
    set_version(path, 0)
    with pytest.raises(JournalError, match="journal schema 0 is older than any this version can migrate"):
        Journal.open(path)
    done = []
    monkeypatch.setitem(journal_module.MIGRATIONS, 0, lambda db: done.append(db.execute("SELECT count(*) FROM events").fetchone()[0]))
    assert Journal.open(path).meta("schema_version") == 1 and done == [1]


def test_not_a_journal(tmp_path):
    (tmp_path / "text").write_text("hello")
    with pytest.raises(JournalError, match="not a CrackTrader journal"):
        Journal.open(tmp_path / "text")
    db = sqlite3.connect(tmp_path / "other.db")
    db.execute("CREATE TABLE meta (key, value)")
    db.commit()
    with pytest.raises(JournalError, match="not a CrackTrader journal"):
        Journal.open(tmp_path / "other.db")
    with pytest.raises(JournalError, match="no such journal"):
        Journal.open(tmp_path / "missing")


def test_another_process_follows_the_numbered_events(sim, tmp_path):
    cfg = config(sim, tmp_path, "paper", strategy="Every", params=dict(size=0.01, every=2))
    s = session(cfg, tmp_path / "s.journal")
    follower = ("import sys, json; from cracktrader.live import read_events, read_state;"
                "after = int(sys.argv[2]); ev = read_events(sys.argv[1], after=after);"
                "print(json.dumps([[e['seq'], e['kind']] for e in ev])); print(json.dumps(read_state(sys.argv[1])))")
    seen, last = [], 0
    for k in range(1, 7):
        drive(sim, [s], 1, first=k)
        out = subprocess.run([sys.executable, "-c", follower, str(tmp_path / "s.journal"), str(last)], capture_output=True,
                             text=True, check=True).stdout.splitlines()
        import json

        new = json.loads(out[0])
        state = json.loads(out[1])
        assert state["running"] and state["last_bar_time"] == bar_time(k - 1) and state["seq"] == new[-1][0]
        seen += new
        last = new[-1][0]
    numbers = [n for n, _ in seen]
    assert numbers == sorted(set(numbers)) and numbers[0] > 0
    kinds = {kind for _, kind in seen}
    assert {"bar", "order", "fill", "account", "log"} <= kinds
    prints = [e["data"]["text"] for e in read_events(tmp_path / "s.journal", kinds=["log"]) if e["data"]["source"] == "strategy"]
    assert prints[0].startswith("bar 31 close")  # the strategy's print()
    s.close()
    assert read_state(tmp_path / "s.journal")["health"] == "stopped"


def test_live_bars_go_to_the_candle_cache(sim, tmp_path):
    from cracktrader.data import Cache

    s = session(config(sim, tmp_path, "paper", strategy="Every"), tmp_path / "s.journal")
    drive(sim, [s], 5)
    s.close()
    cached = Cache(tmp_path / "cache" / "sandbox").read("binance.BTC-USDT.1m")  # a sandbox's candles, apart
    assert list(cached.time) == [bar_time(k) for k in range(-30, 5)]  # the warm-up fetched, then the live bars
    assert not (tmp_path / "cache" / "candles").exists()


class DatabaseAtEachRequest(list):
    """The session's `timings` hook (called as each request is handed to ccxt): notes the journal's
    files then, to see whether a commit on the order path checkpointed or began a new WAL."""

    def __init__(self, path):
        super().__init__()
        self.path, self.seen = path, []

    def append(self, t):
        super().append(t)
        self.seen.append(file_state(self.path))


def file_state(path):
    """The database file's size and time, and the WAL's salts (SQLite changes them each time a
    commit starts the WAL over: that commit writes and flushes a new header)."""
    st = os.stat(path)
    with open(f"{path}-wal", "rb") as wal:
        wal.seek(16)
        return st.st_size, st.st_mtime_ns, wal.read(8)


def test_the_journal_is_checkpointed_between_bars_never_before_a_request(sim, tmp_path, monkeypatch):
    # SQLite's own checkpoint runs in whichever commit crosses 1,000 WAL pages, an order's record
    # among them: milliseconds (flushes and page copies) between the record and its request. And
    # the first commit after a checkpoint starts the WAL over and flushes its header (~0.25 ms).
    monkeypatch.setattr(journal_module, "CHECKPOINT_EVERY", 10)
    path = tmp_path / "j"
    s = session(config(sim, tmp_path, mode="exchange", strategy="Every", params={"every": 1}), path)
    s.timings = DatabaseAtEachRequest(path)
    state, checkpoints = file_state(path), 0
    for k in range(1, 161):  # ~12 WAL pages a decision: SQLite's own threshold (1,000 pages) is crossed near bar 130
        first = len(s.timings.seen)
        drive(sim, [s], 1, first=k)
        # at each request the database file is as the previous bar's end left it
        assert all(seen == state for seen in s.timings.seen[first:]), \
            f"bar {k}: a commit before a request checkpointed or started the WAL over"
        checkpoints += file_state(path) != state
        state = file_state(path)
    wal_pages = os.path.getsize(f"{path}-wal") // 4096
    s.close()
    assert len(s.timings.seen) >= 100
    assert checkpoints >= 5  # the session did checkpoint: between bars
    assert wal_pages < 400  # so the WAL stays short
