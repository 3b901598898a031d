"""The host's live sessions and their worker processes.

Each session has a folder under the live directory: `session.json` (its settings, account,
name, and whether it should run), `journal.sqlite` (the core's journal: state, events,
orders), `worker.log` (the worker's output). The supervisor starts a worker per session that
should run, watches it, and restarts it when it dies (after 1, 2, 5, 15, 30, then 60 s; a
worker that ran a while starts the count again) — a restarted session reconciles with the
exchange before anything new leaves. A strategy that raised is not restarted (it would raise
again): the session shows the error until resumed.

Sessions outlive the host. When the host stops (SIGTERM) it stops its workers cleanly (each ends
after its current step, journal closed) but keeps them marked to run, so the next start
resumes them; a worker left running by a host that died is adopted, not started twice (the
journal's lock says who runs it).

A service of the server (see host/services.py): `health()`, `begin_stop()`, `async stop()`.
"""

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import oom
from .worker import STRATEGY_FAILED

RESTART_DELAYS = (1, 2, 5, 15, 30, 60)
STABLE_AFTER = 120.0  # seconds: a worker that ran this long starts the restart count again
STOP_GRACE = 15.0  # seconds between asking a worker to stop and killing it
LOG_LIMIT = 5_000_000  # bytes: a worker log longer than this starts over when the worker does


def default_root():
    """$CRACKTRADER_LIVE_DIR, else the user's data folder: journals are records, not a cache."""
    if os.environ.get("CRACKTRADER_LIVE_DIR"):
        return Path(os.environ["CRACKTRADER_LIVE_DIR"])
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "cracktrader" / "live"


@dataclass
class Entry:
    """One session: what its folder says, and its worker."""

    id: str
    folder: Path
    meta: dict  # session.json
    proc: subprocess.Popen = None  # our child, or None
    pid: int = None  # the worker's pid (ours or adopted)
    started: float = 0.0  # time.monotonic() of the last start
    restarts: int = 0  # starts after a death, since the last stable run
    next_start: float = None  # when to start it again (monotonic), or None
    exit_code: int = None  # how the last worker ended
    stop_asked: float = None  # when we asked the worker to stop (monotonic)
    history: list = field(default_factory=list)  # recent (time ms, exit code) of dead workers

    @property
    def journal(self):
        return self.folder / "journal.sqlite"

    @property
    def should_run(self):
        return self.meta["desired"] == "running"


class LiveSessions:
    """`accounts`: {name: Account}; `risk`: default risk limits; `poll`: the sessions' poll interval
    (seconds between looks at commands); `cache`: the candle cache the sessions use."""

    def __init__(self, root=None, accounts=None, risk=None, poll=1.0, cache=None, python=None,
                 restart_delays=RESTART_DELAYS, stop_grace=STOP_GRACE, env=None):
        from .accounts import accounts_from

        self.root = Path(root) if root else default_root()
        self.accounts, self.risk, self.poll = accounts_from(accounts), dict(risk or {}), poll
        self.cache = str(cache) if cache else None
        self.python = python or sys.executable
        self.restart_delays, self.stop_grace = restart_delays, stop_grace
        self.env = env  # the workers' environment (default: the server's)
        self.oom_given = None  # the server's OOM score as given (open() raises it above the workers')
        self.sessions = {}
        self.stopping = False
        self._task = self._loop = None
        from .events import Feeds

        self.feeds = Feeds(self)  # who watches which session (the events WebSocket)

    # --- the service ------------------------------------------------------------------------------
    async def open(self):
        """Loads the sessions from disk, starts (or adopts) those that should run, and watches them."""
        self._loop = asyncio.get_running_loop()
        if self.oom_given is None:
            self.oom_given = oom.server_before_workers()
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        for folder in sorted(self.root.iterdir()):
            meta_file = folder / "session.json"
            if meta_file.is_file():
                entry = Entry(folder.name, folder, json.loads(meta_file.read_text()))
                self.sessions[entry.id] = entry
                if entry.should_run:
                    self._start(entry)
        self._task = asyncio.create_task(self._watch())

    def health(self):
        sessions = {}
        for entry in self.sessions.values():
            state = self.state(entry)
            sessions[entry.id] = {"health": state.get("health", "starting" if entry.pid else "stopped"),
                                  "running": entry.pid is not None, "risk": (state.get("risk") or {}).get("state")}
        worst = "stopping" if self.stopping else "running"
        return {"state": worst, "sessions": sessions}

    def begin_stop(self):
        """No more restarts; every worker is asked to stop (SIGTERM: after its current step), and
        every events socket is closed (1012: reconnect to the next server). Quick: it may run in
        a signal handler."""
        if self.stopping:
            return
        self.stopping = True
        for entry in self.sessions.values():
            self._signal(entry, signal.SIGTERM)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(lambda: self._loop.create_task(self.feeds.close_all()))

    async def stop(self):
        self.begin_stop()
        await self.feeds.close_all()
        deadline = time.monotonic() + self.stop_grace
        while any(self._alive(e) for e in self.sessions.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        for entry in self.sessions.values():
            if self._alive(entry):
                self._signal(entry, signal.SIGKILL)
            self._reap(entry)
        if self._task:
            self._task.cancel()

    # --- what the API asks ------------------------------------------------------------------------
    def create(self, config, account, name):
        """A new session from a checked SessionConfig: its folder, then its worker. Returns its id."""
        sid = secrets.token_hex(4)
        folder = self.root / sid
        folder.mkdir(mode=0o700)
        (folder / "strategy.py").write_text(config.strategy_source)
        config.strategy_file = str(folder / "strategy.py")  # tracebacks name a file one can open
        meta = {"id": sid, "name": name, "account": account.name if account else None, "created": _now_ms(),
                "desired": "running", "config": config.to_dict()}
        entry = Entry(sid, folder, meta)
        self._save(entry)
        self.sessions[sid] = entry
        self._start(entry)
        return sid

    def stop_session(self, sid):
        """It ends after its current step (the `stop` command; SIGTERM before it has a journal, or
        if it does not stop within the grace period; SIGKILL after twice that)."""
        entry = self._entry(sid)
        self._want(entry, "stopped")
        if entry.journal.exists():
            self._command(entry, "stop")
        else:
            self._signal(entry, signal.SIGTERM)
        entry.stop_asked = time.monotonic()

    def kill(self, sid):
        """The kill switch: cancel every order, flatten, stay halted. A session that is not running
        is started to do it (it takes the command first)."""
        entry = self._entry(sid)
        if not entry.journal.exists():  # it never started: nothing to cancel or flatten
            self.stop_session(sid)
            return
        self._command(entry, "kill")
        if not self._alive(entry):
            self._want(entry, "running")
            self._start(entry)

    def resume(self, sid):
        """Runs it again (if stopped) and clears a halt (after the kill switch or a loss limit)."""
        entry = self._entry(sid)
        self._want(entry, "running")
        if entry.journal.exists():
            self._command(entry, "resume")
        entry.restarts, entry.next_start = 0, None
        if not self._alive(entry):
            self._start(entry)

    def describe(self, sid, detail=True):
        """The session for the API: its settings (no key file), its worker and its state snapshot;
        without `detail`, the settings that tell sessions apart and no log."""
        entry = self._entry(sid)
        hidden = ("key_file", "strategy_file", "exchange_config")
        brief = ("mode", "exchange", "symbol", "timeframe", "sandbox", "live", "strategy_class")
        config = {k: v for k, v in entry.meta["config"].items() if k not in hidden and (detail or k in brief)}
        worker = self.worker(sid)
        if detail and entry.exit_code not in (None, 0) and not worker["running"]:
            worker["log"] = self.log_tail(entry, 20)
        return {"id": entry.id, "name": entry.meta["name"], "account": entry.meta["account"],
                "created": entry.meta["created"], "desired": entry.meta["desired"], "config": config,
                "worker": worker, "state": self.state(entry)}

    def worker(self, sid):
        """Whether its worker runs, how often it was restarted, how the last one ended."""
        entry = self._entry(sid)
        self._reap(entry)
        alive = entry.pid is not None
        return {"pid": entry.pid if alive else None, "running": alive, "restarts": entry.restarts,
                "exit_code": entry.exit_code, "restarting_in": _seconds_until(entry.next_start),
                "failed": entry.exit_code == STRATEGY_FAILED and not alive}

    def state(self, entry):
        from cracktrader.live import read_state

        if not entry.journal.exists():
            return {}
        try:
            return read_state(entry.journal)
        except Exception as e:  # noqa: BLE001 - a journal being created, or damaged: say so, do not fail the API
            return {"health": "unreadable", "last_error": f"{type(e).__name__}: {e}"}

    def log_tail(self, entry, lines):
        try:
            with open(entry.folder / "worker.log", "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 16_384))
                return f.read().decode(errors="replace").splitlines()[-lines:]
        except OSError:
            return []

    def _entry(self, sid):
        entry = self.sessions.get(sid)
        if entry is None:
            raise KeyError(sid)
        return entry

    # --- workers ------------------------------------------------------------------------------------
    def _start(self, entry):
        from cracktrader.live import running

        entry.next_start = None
        if self.stopping:
            return
        pid = running(entry.journal) if entry.journal.exists() else None
        if pid:  # a worker left by a host that died: adopt it
            entry.proc, entry.pid, entry.started = None, pid, time.monotonic()
            return
        log = entry.folder / "worker.log"
        if log.exists() and log.stat().st_size > LOG_LIMIT:
            log.replace(entry.folder / "worker.log.1")
        with open(log, "ab") as out:
            out.write(f"--- worker starting at {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
            out.flush()
            env = {**(self.env or os.environ), oom.GIVEN_ENV: str(oom.score() if self.oom_given is None else self.oom_given)}
            # Its own session: Ctrl+C on the server's terminal reaches the server, which stops it.
            entry.proc = subprocess.Popen([self.python, "-m", "cracktrader.host.live.worker", str(entry.folder)],
                                          stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                          start_new_session=True, env=env, cwd=entry.folder)
        entry.pid, entry.started, entry.stop_asked = entry.proc.pid, time.monotonic(), None

    def _alive(self, entry):
        if entry.proc is not None:
            return entry.proc.poll() is None
        if entry.pid is None:
            return False
        from cracktrader.live import running

        return running(entry.journal) == entry.pid

    def _reap(self, entry):
        """Notes how a worker that died ended."""
        if entry.pid is None or self._alive(entry):
            return
        entry.exit_code = entry.proc.returncode if entry.proc is not None else None
        entry.history = (entry.history + [(_now_ms(), entry.exit_code)])[-10:]
        entry.proc = entry.pid = None

    def _signal(self, entry, sig):
        if entry.pid is not None and self._alive(entry):
            try:
                os.kill(entry.pid, sig)
            except ProcessLookupError:
                pass

    async def _watch(self):
        while True:
            try:
                self._tick()
            except Exception:  # noqa: BLE001 - the watch must go on; the next tick retries
                import logging

                logging.getLogger("cracktrader.host").exception("live sessions: watch failed")
            await asyncio.sleep(0.25)

    def _tick(self):
        now = time.monotonic()
        for entry in list(self.sessions.values()):
            self._reap(entry)
            dead = entry.pid is None and entry.next_start is None
            # A strategy that raised would raise again: it shows as failed until resumed.
            if dead and entry.should_run and not self.stopping and entry.exit_code != STRATEGY_FAILED:
                if now - entry.started > STABLE_AFTER:
                    entry.restarts = 0
                delay = self.restart_delays[min(entry.restarts, len(self.restart_delays) - 1)]
                entry.restarts += 1
                entry.next_start = now + delay
            if entry.next_start is not None and now >= entry.next_start and entry.should_run:
                self._start(entry)
            if entry.stop_asked is not None and self._alive(entry):
                waited = now - entry.stop_asked
                if waited > 2 * self.stop_grace:
                    self._signal(entry, signal.SIGKILL)
                elif waited > self.stop_grace:
                    self._signal(entry, signal.SIGTERM)

    # --- the folder -------------------------------------------------------------------------------------
    def _want(self, entry, desired):
        if entry.meta["desired"] != desired:
            entry.meta["desired"] = desired
            self._save(entry)
        if desired == "stopped":
            entry.next_start = None

    def _save(self, entry):
        tmp = entry.folder / "session.json.tmp"
        tmp.write_text(json.dumps(entry.meta, indent=1))
        os.replace(tmp, entry.folder / "session.json")

    def _command(self, entry, command):
        from cracktrader.live import send_command

        if entry.journal.exists():
            send_command(entry.journal, command)


def _now_ms():
    return int(time.time() * 1000)


def _seconds_until(t):
    return None if t is None else max(0.0, round(t - time.monotonic(), 1))
