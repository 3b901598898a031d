"""The host with live sessions in tests: the real app under uvicorn on a free 127.0.0.1 port,
its sessions in real worker processes trading against the exchange simulator, reached over
HTTP (urllib) and WebSocket (the `websockets` client)."""

import json
import os
import stat
import threading
import time
import urllib.error
import urllib.request

import uvicorn

from support.live import KEY, SECRET, STRATEGIES, bar_time, exchange_config, wait_until

TOKEN = "host-token-5d1e"


def accounts(sim, tmp_path, keys=(KEY, SECRET)):
    """A trading account on the simulator (its key file 0600) and a data-only one."""
    key_file = tmp_path / "sim-keys.json"
    key_file.write_text(json.dumps({"apiKey": keys[0], "secret": keys[1]}))
    key_file.chmod(stat.S_IRUSR | stat.S_IWUSR)
    common = {"exchange": "binance", "sandbox": True, "exchange_config": exchange_config(sim), "clock": "exchange"}
    return {"sim": {**common, "key_file": str(key_file)}, "sim-data": common}


def serve_config(sim, folder, live_dir, poll=0.05, trading=True, clock="exchange"):
    """A `cracktrader serve` config file's text: [live] (dir, poll) and the simulator's accounts
    (`sim-data`, and `sim` with keys when `trading`); the ccxt settings go to a JSON file.
    `clock="local"` (the production default) only where the simulator's clock runs at real speed."""
    acc = accounts(sim, folder)
    (folder / "sim.json").write_text(json.dumps(acc["sim"]["exchange_config"]))
    common = f'exchange = "binance"\nsandbox = true\nexchange_config = "{folder / "sim.json"}"\nclock = "{clock}"\n'
    text = f'[live]\ndir = "{live_dir}"\npoll_seconds = {poll}\n[accounts.sim-data]\n{common}'
    return text + (f'[accounts.sim]\n{common}key_file = "{acc["sim"]["key_file"]}"\n' if trading else "")


class LiveHost:
    """`create_app` under uvicorn in a thread; `stop()` runs the app's shutdown (SIGTERM's path)."""

    def __init__(self, tmp_path, accounts, live_dir=None, token=TOKEN):
        web = tmp_path / "web"
        web.mkdir(exist_ok=True)
        (web / "index.html").write_text("<!doctype html><title>x</title>")
        (web / "site.json").write_text('{"server": false, "datasets": []}')
        self.web, self.accounts, self.token = web, accounts, token
        self.live_dir = live_dir or tmp_path / "live"
        self.cache = tmp_path / "cache"

    def start(self):
        from cracktrader.host.app import create_app

        self.app = create_app(self.web, token=self.token, cache_dir=self.cache, accounts=self.accounts,
                              live_dir=self.live_dir, live_poll=0.05)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="error", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="live-host", daemon=True)
        self.thread.start()
        wait_until(lambda: self.server.started or not self.thread.is_alive(), 20, "the host to start")
        assert self.thread.is_alive(), "the host did not start"
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url, self.ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
        return self

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "the host did not stop"

    @property
    def sessions(self):
        return self.app.state.live

    def api(self, method, path, body=None, token=None):
        """(status, JSON) of a request; the token is the host's unless given ("" for none)."""
        token = self.token if token is None else token
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def session(self, sid):
        status, body = self.api("GET", f"/api/live/{sid}")
        assert status == 200, body
        return body

    def events(self, after=0, sid=None, token=None):
        """A WebSocket on a session's events, authenticated (EventSocket)."""
        return EventSocket(self, sid, after, self.token if token is None else token)


class EventSocket:
    def __init__(self, host, sid, after, token):
        from websockets.sync.client import connect

        self._connection = connect(f"{host.ws_url}/api/live/{sid}/events", open_timeout=10)
        self.ws = self._connection.__enter__()
        self.ws.send(json.dumps({"token": token, "after": after}))
        self.events, self.states, self.forming = [], [], []
        self.hello = None

    def read(self, timeout=10):
        message = json.loads(self.ws.recv(timeout=timeout))
        kind = message["type"]
        if kind == "hello":
            self.hello = message
        elif kind == "events":
            self.events += message["events"]
        elif kind == "state":
            self.states.append(message)
        elif kind == "forming":
            self.forming.append(message["bar"])
        return message

    def until(self, predicate, timeout=30, what="the events"):
        deadline = time.monotonic() + timeout
        while not predicate(self):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}")
            try:
                self.read(timeout=left)
            except TimeoutError:
                pass
        return self

    def close(self):
        self._connection.__exit__(None, None, None)


def request(strategy="Every", account="sim", mode="exchange", **extra):
    """A POST /api/live body for a strategy of tests/support/live_strategies.py on the simulator."""
    body = {"strategy": STRATEGIES.read_text(), "strategy_class": strategy, "account": account, "symbol": "BTC/USDT",
            "timeframe": "1m", "mode": mode, "warmup": 30, "cash": 10_000}
    body.update(extra)
    return body


def advance(sim, host, sid, bars, first):
    """Moves the exchange's clock bar by bar, each time waiting until the session used the bar."""
    for k in range(first, first + bars):
        sim.clock.set(bar_time(k) + 1500)
        wait_until(lambda k=k: (host.session(sid)["state"].get("last_bar_time") or 0) >= bar_time(k - 1), 60,
                   f"the session to use bar {k}")


def pids_alive(pids):
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
            alive.append(pid)
        except ProcessLookupError:
            pass
    return alive


def stalled_socket(host, path, first_message):
    """A WebSocket client that sends `first_message` and then never reads: a raw socket with a
    small receive window, the handshake and one masked text frame written by hand."""
    import base64
    import socket
    import struct

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: the window stays small
    port = int(host.url.rsplit(":", 1)[1])
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    payload, mask = first_message.encode(), os.urandom(4)
    header = struct.pack("!BBH", 0x81, 0x80 | 126, len(payload)) if len(payload) > 125 else struct.pack("!BB", 0x81, 0x80 | len(payload))
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    return sock
