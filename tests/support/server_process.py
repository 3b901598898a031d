"""A real `cracktrader serve` process on a free loopback port, for tests of the server as a
service: its config file, its structured log (stderr, JSON lines), its exit."""

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

TOKEN = "test-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tiny_web(folder):
    """A stand-in web build: the API tests need no page."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text("<!doctype html><title>CrackTrader</title>")
    (folder / "site.json").write_text(json.dumps({"server": False, "datasets": []}))
    return folder


def request(url, body=None, token=TOKEN, timeout=60):
    """(status, JSON body, headers) of a GET, or of a POST when `body` is given."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), e.headers


class Server:
    """`cli serve --config config` (with `args`), started and waited for; `stop()` sends SIGTERM."""

    def __init__(self, cli, folder, config_text="", args=(), env=None, cwd=None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config = self.folder / "config.toml"
        self.config.write_text(config_text)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stderr_path = self.folder / "stderr.log"
        self.command = [str(cli), "serve", "--config", str(self.config), "--port", str(self.port), *args]
        base = {k: v for k, v in os.environ.items() if not k.startswith("CRACKTRADER_")}
        with self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=err,
                                         env={**base, **(env or {})}, cwd=cwd or self.folder)

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.stderr()}")
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"{self.url} did not answer within {timeout} s: {self.stderr()}")

    def stderr(self):
        return self.stderr_path.read_text()

    def log(self):
        """The JSON records the server wrote to stderr."""
        return [json.loads(line) for line in self.stderr().splitlines() if line.startswith("{")]

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.terminate()
        return self.proc.wait(timeout=timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
