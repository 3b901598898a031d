"""For other processes (the CLI's `live status|stop|resume`, a host): read a session's state
and events from its journal, send it commands, tell whether it runs. Nothing here imports ccxt.

Commands, taken by the running session within its poll interval (default 1 s):
- "stop": the session ends after the current step; orders stay as they are;
- "kill": the kill switch: the risk state becomes "halted", every open order is canceled,
  then the position is closed with market orders; the session keeps running (halted);
- "kill_stop": the kill switch, then the session ends (`live stop --flatten`);
- "resume": back to the "normal" risk state (after a breach or the kill switch).
A command sent while no session runs waits in the journal and is taken when it starts.
"""

import fcntl
import os
import time
from pathlib import Path

from . import journal as journal_module

COMMANDS = ("stop", "kill", "kill_stop", "resume")


def lock_path(path):
    return Path(str(path) + ".lock")


def running(path):
    """The pid of the process running the session, or None."""
    lock = lock_path(path)
    if not lock.exists():
        return None
    fd = os.open(lock, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.read(fd, 32).decode(errors="replace").strip()
            return int(text) if text.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def read_state(path):
    db = journal_module.reader(path)
    try:
        row = db.execute("SELECT data FROM state WHERE id = 1").fetchone()
        seq = db.execute("SELECT max(seq) FROM events").fetchone()[0] or 0
    finally:
        db.close()
    import json

    state = json.loads(row[0]) if row else {}
    pid = running(path)
    state.update(running=pid is not None, pid=pid if pid is not None else state.get("pid"), seq=seq)
    if pid is None and state.get("health") not in ("stopped", "error", None):
        state["health"] = "not_running"  # it died without saying so (killed)
    return state


def read_events(path, after=0, limit=None, kinds=None):
    """The session's events numbered after `after`, oldest first: [{"seq", "time", "kind", "data"}]."""
    db = journal_module.reader(path)
    try:
        return journal_module.read_events(db, after, kinds, limit)
    finally:
        db.close()


def read_bars(path):
    """The bars the session used, warm-up then live: [(time, open, high, low, close, volume)]."""
    db = journal_module.reader(path)
    try:
        return db.execute("SELECT time, open, high, low, close, volume FROM bars ORDER BY time").fetchall()
    finally:
        db.close()


def send_command(path, command):
    """Queues a command for the session; returns its id."""
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r} (known: {', '.join(COMMANDS)})")
    db = journal_module.writer(path)
    try:
        db.execute("BEGIN IMMEDIATE")
        cid = db.execute("INSERT INTO commands (time, command) VALUES (?, ?)", (int(time.time() * 1000), command)).lastrowid
        db.execute("COMMIT")
        return cid
    finally:
        db.close()


def command_taken(path, command_id):
    db = journal_module.reader(path)
    try:
        row = db.execute("SELECT taken FROM commands WHERE id = ?", (command_id,)).fetchone()
        return bool(row and row[0])
    finally:
        db.close()
