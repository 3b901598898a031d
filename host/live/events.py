"""`GET /api/live/{id}/events`: a session's events over a WebSocket, as the session writes them.

The client's first message authenticates and says where to start (the token never goes in the
URL, which servers and proxies log):

    -> {"token": "<API token>", "after": 120}    # events numbered after 120 (0: from the start)
    <- {"type": "hello", "session": "<id>", "last": 125, "state": {...}, "worker": {...}}
    <- {"type": "events", "events": [{"seq": 121, "time", "kind", "data"}, ...]}   # in order, no gaps
    <- {"type": "state", "state": {...}, "worker": {...}}   # the snapshot, when it changed
    <- {"type": "forming", "bar": {"time", "open", "high", "low", "close", "volume"}}   # the bar forming

Events are the journal's (docs/live.md), numbered: a client that reconnects sends the last
number it saw and gets what it missed, then the rest as it happens. The snapshot carries the
position, orders, balance, equity, risk state and health; `worker` says whether the process
runs and how often it was restarted. The forming bar is not numbered (it is not kept).

The session never waits for a client: each session's journal is read by one poller in the
server (a cheap `PRAGMA data_version` check every POLL seconds, reads only when the session
committed), which hands messages to each client's bounded queue. A client whose queue fills
(it reads slower than the session writes) is closed with code 4008 and reconnects from its last
number. A wrong token closes with 4401, an unknown session with 4404; when the server stops,
clients get 1012 (restarting) and reconnect to the next one.
"""

import asyncio
import hmac
import json

from starlette.websockets import WebSocketDisconnect, WebSocketState

POLL = 0.02  # seconds between looks at a journal someone is watching
BATCH = 500  # events per message
QUEUE = 256  # messages a client may be behind before it is dropped
AUTH_TIMEOUT = 10.0  # seconds to send the first message
SEND_TIMEOUT = 10.0  # seconds a client may take to accept one message
TOO_SLOW, BAD_TOKEN, NO_SESSION, BAD_REQUEST, RESTARTING = 4008, 4401, 4404, 4400, 1012


class Feed:
    """One session's journal, polled while someone watches it; messages go to every client."""

    def __init__(self, sessions, sid):
        self.sessions, self.sid = sessions, sid
        self.clients = set()
        self.seq = None  # the last event handed to clients
        self.task = None
        self._state_text = self._state = self._worker = self._forming = None

    def add(self, client):
        """Everything written after this call reaches the client (what came before is its catch-up)."""
        if self.seq is None:
            self.seq = _last_seq(self.sessions.sessions[self.sid].journal)
        self.clients.add(client)
        if self.task is None:
            self.task = asyncio.create_task(self._run())

    def remove(self, client):
        self.clients.discard(client)
        if not self.clients and self.task is not None:
            self.task.cancel()
            self.task, self.seq = None, None

    def _offer(self, message):
        text = json.dumps(message, separators=(",", ":"))
        for client in list(self.clients):
            client.offer(text)

    async def _run(self):
        from cracktrader.live.journal import read_events, reader

        entry = self.sessions.sessions[self.sid]
        db, version = None, None
        try:
            while True:
                if db is None and entry.journal.exists():
                    try:
                        db = reader(entry.journal)
                    except Exception:  # noqa: BLE001 - being created: try again
                        db = None
                if db is not None:
                    now = db.execute("PRAGMA data_version").fetchone()[0]
                    if now != version:
                        version = now
                        while True:
                            events = read_events(db, self.seq, limit=BATCH)
                            if not events:
                                break
                            self.seq = events[-1]["seq"]
                            self._offer({"type": "events", "events": events})
                        self._check_state(db)
                self._check_worker()
                await asyncio.sleep(POLL)
        finally:
            if db is not None:
                db.close()

    def _check_state(self, db):
        row = db.execute("SELECT data FROM state WHERE id = 1").fetchone()
        if row is None or row[0] == self._state_text:
            return
        self._state_text = row[0]
        state = self.sessions.state(self.sessions.sessions[self.sid])
        forming = state.pop("forming", None)
        if forming != self._forming:
            self._forming = forming
            if forming:
                self._offer({"type": "forming", "bar": forming})
        if state != self._state:
            self._state = state
            self._offer({"type": "state", "state": state, "worker": self.sessions.worker(self.sid)})

    def _check_worker(self):
        worker = self.sessions.worker(self.sid)
        key = {k: v for k, v in worker.items() if k != "restarting_in"}
        if key != self._worker:
            self._worker = key
            self._offer({"type": "state", "state": self.sessions.state(self.sessions.sessions[self.sid]),
                         "worker": worker})


class TooSlow(Exception):
    pass


async def _send(ws, text):
    try:
        await asyncio.wait_for(ws.send_text(text), SEND_TIMEOUT)
    except asyncio.TimeoutError:
        raise TooSlow from None


class Client:
    def __init__(self):
        self.queue = asyncio.Queue(QUEUE)
        self.too_slow = asyncio.Event()

    def offer(self, text):
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.too_slow.set()


class Feeds:
    """The feeds of the sessions being watched, and every client, to close them when the server stops."""

    def __init__(self, sessions):
        self.sessions = sessions
        self.feeds = {}
        self.sockets = set()

    def feed(self, sid):
        if sid not in self.feeds:
            self.feeds[sid] = Feed(self.sessions, sid)
        return self.feeds[sid]

    async def close_all(self):
        for ws in list(self.sockets):
            await _close(ws, RESTARTING, "the server is restarting: reconnect")


async def _close(ws, code, reason):
    if ws.application_state == WebSocketState.CONNECTED:
        try:
            await asyncio.wait_for(ws.close(code=code, reason=reason[:120]), SEND_TIMEOUT)
        except (RuntimeError, asyncio.TimeoutError):  # gone, or not reading: the server drops it
            pass


async def events(ws):
    """The WebSocket endpoint."""
    feeds = ws.app.state.live_feeds
    sessions = feeds.sessions
    await ws.accept()
    feeds.sockets.add(ws)
    try:
        await _serve(ws, feeds, sessions, ws.path_params["id"])
    except WebSocketDisconnect:
        pass
    finally:
        feeds.sockets.discard(ws)


async def _serve(ws, feeds, sessions, sid):
    try:
        first = json.loads(await asyncio.wait_for(ws.receive_text(), AUTH_TIMEOUT))
    except (asyncio.TimeoutError, ValueError):
        return await _refuse(ws, BAD_REQUEST, 'send {"token": ..., "after": N} first')
    token = ws.app.state.token
    given = first.get("token") if isinstance(first, dict) else None
    if not (token and isinstance(given, str) and hmac.compare_digest(given.encode(), token.encode())):
        return await _refuse(ws, BAD_TOKEN, "a valid API token is required")
    if sid not in sessions.sessions:
        return await _refuse(ws, NO_SESSION, f"no live session {sid}")
    after = first.get("after", 0)
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        return await _refuse(ws, BAD_REQUEST, "after must be an event number >= 0")

    client = Client()
    feed = feeds.feed(sid)
    feed.add(client)  # first: nothing written while catching up is missed (duplicates are skipped)
    reader = slow = None
    sent = after
    try:
        entry = sessions.sessions[sid]
        sent = await _catch_up(ws, entry.journal, after, sessions, sid)
        reader = asyncio.create_task(_drain(ws))
        slow = asyncio.create_task(client.too_slow.wait())
        while True:
            get = asyncio.create_task(client.queue.get())
            done, _ = await asyncio.wait({get, reader, slow}, return_when=asyncio.FIRST_COMPLETED)
            if get not in done:
                get.cancel()
                if slow in done:
                    await _refuse(ws, TOO_SLOW, f"too slow: reconnect with after={sent}")
                return
            text = get.result()
            if text.startswith('{"type":"events"'):
                message = json.loads(text)
                fresh = [e for e in message["events"] if e["seq"] > sent]
                if not fresh:
                    continue
                sent = fresh[-1]["seq"]
                if len(fresh) != len(message["events"]):
                    text = json.dumps({"type": "events", "events": fresh}, separators=(",", ":"))
            await _send(ws, text)
    except TooSlow:
        await _close(ws, TOO_SLOW, "too slow: reconnect from the last event seen")
    finally:
        feed.remove(client)
        for task in (reader, slow):
            if task is not None:
                task.cancel()


async def _catch_up(ws, journal, after, sessions, sid):
    """Sends hello and every event after `after` already written; returns the last one sent."""
    from cracktrader.live.journal import read_events, reader

    sent = after
    state = sessions.state(sessions.sessions[sid])
    db = reader(journal) if journal.exists() else None
    try:
        last = db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0] if db else 0
        await _send(ws, json.dumps({"type": "hello", "session": sid, "last": last, "state": state,
                                    "worker": sessions.worker(sid)}, separators=(",", ":")))
        while db is not None:
            batch = read_events(db, sent, limit=BATCH)
            if not batch:
                break
            await _send(ws, json.dumps({"type": "events", "events": batch}, separators=(",", ":")))
            sent = batch[-1]["seq"]
    finally:
        if db is not None:
            db.close()
    return sent


def _last_seq(journal):
    from cracktrader.live.journal import reader

    if not journal.exists():
        return 0
    db = reader(journal)
    try:
        return db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
    finally:
        db.close()


async def _drain(ws):
    """Reads (and ignores) what the client sends, to notice when it leaves."""
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _refuse(ws, code, reason):
    try:
        await ws.send_text(json.dumps({"type": "error", "error": reason, "code": code}))
    except Exception:  # noqa: BLE001 - it may be gone already
        pass
    await _close(ws, code, reason)
