"""What the browser tests and bench/web.py share: Chromium's path and flags, the loopback
rule, the servers' token, and small helpers to start servers on free ports."""

import json
import os
import socket
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "build" / "e2e-artifacts"
CHROMIUM = os.environ.get("CRACKTRADER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1"}
HOST_TOKEN = "e2e-token"
CLI = str(Path(sys.executable).with_name("cracktrader"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, proc, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def demo_candles(web_build):
    """The demo dataset a web build serves (its file is named in site.json)."""
    import cracktrader as ct

    site = json.loads((web_build / "site.json").read_text())
    return ct.load_data(web_build / next(ds["url"] for ds in site["datasets"] if ds["id"] == "demo"))
