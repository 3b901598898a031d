"""`cracktrader serve` as a service, on real processes: the documented systemd command line,
SIGTERM stopping a run and exiting 0, one-line start-up errors, structured and rotating logs,
config file settings under command-line overrides."""

import io
import json
import logging
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import cracktrader as ct
from cracktrader.host import logs
from cracktrader.synthetic import random_walk
from support.server_process import TOKEN, Server, request, tiny_web

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("cracktrader")
H = 3_600_000
SLOW = """import os, time
import cracktrader as ct
class Slow(ct.Strategy):
    params = dict(pid="")
    def init(self):
        open(self.p.pid, "w").write(str(os.getpid()))
    def next(self):
        time.sleep(0.05)
"""


def write_dataset(cache):
    close = random_walk(400, seed=5)
    ct.data.Cache(cache).write(ct.Candles.from_columns(
        [i * H for i in range(400)], close, close, close, close, [1.0] * 400,
        exchange="binance", symbol="BTC/USDT", timeframe="1h"))


def token_file(folder, token=TOKEN):
    path = folder / "token"
    path.write_text(token + "\n")
    path.chmod(0o600)
    return path


def unit_exec_start():
    """ExecStart of the systemd unit in docs/deploy.md."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    unit = re.search(r"```ini\n(.*?)```", text, re.S).group(1)
    return unit, re.search(r"^ExecStart=(.+)$", unit, re.M).group(1).split()


def test_the_documented_unit_runs_and_stops_cleanly_on_sigterm(tmp_path):
    unit, command = unit_exec_start()
    assert command[0] == "/opt/cracktrader/bin/cracktrader" and command[1] == "serve"
    config = Path(command[command.index("--config") + 1])
    write_dataset(tmp_path / "cache")
    server = Server(CLI, tmp_path, f"""
[server]
token_file = "{token_file(tmp_path)}"
web_dir = "{tiny_web(tmp_path / 'web')}"
[data]
cache_dir = "{tmp_path / 'cache'}"
""", args=command[2:command.index("--config")] + command[command.index("--config") + 2:])
    assert server.command[1:] == ["serve", "--config", str(server.config), "--port", str(server.port)]
    assert config.name == server.config.name  # the unit's file is this one, at its real path
    server.wait_ready()

    pid_file = tmp_path / "run.pid"
    answers = []
    body = {"strategy": SLOW, "dataset": "binance.BTC-USDT.1h", "params": {"pid": str(pid_file)}}
    runner = threading.Thread(target=lambda: answers.append(request(server.url + "/api/backtests", body)))
    runner.start()
    deadline = time.monotonic() + 20
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    run_pid = int(pid_file.read_text())

    t0 = time.monotonic()
    assert server.stop(timeout=30) == 0
    assert time.monotonic() - t0 < 10
    runner.join()
    assert answers[0][0] == 503 and answers[0][1]["kind"] == "stopping"
    assert not Path(f"/proc/{run_pid}").exists() or "Z" in Path(f"/proc/{run_pid}/stat").read_text().split(")")[1][:3]
    messages = [(r["message"], r.get("signal") or r.get("service")) for r in server.log()]
    assert ("stopping", "SIGTERM") in messages and ("service stopped", "runs") in messages
    assert messages[-1] == ("stopped", None)
    assert TOKEN not in server.stderr()


@pytest.mark.skipif(not Path("/usr/bin/systemd-analyze").exists(), reason="systemd-analyze not installed")
def test_the_documented_unit_is_valid_systemd(tmp_path):
    unit, command = unit_exec_start()
    path = tmp_path / "cracktrader.service"
    path.write_text(unit.replace(command[0], str(CLI)))
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(path)], capture_output=True, text=True)
    problems = [line for line in r.stderr.splitlines() if str(path) in line or "cracktrader.service" in line]
    assert not problems, r.stderr


def test_a_busy_port_is_one_line_and_status_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run([str(CLI), "serve", "--port", str(port), "--web-dir", str(tiny_web(tmp_path / "web"))],
                           capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr.strip() == f"cracktrader serve: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_a_bad_config_file_stops_the_start(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[server]\nport = 8000\nprot = 1\n")
    r = subprocess.run([str(CLI), "serve", "--config", str(config)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr.strip() == f'cracktrader serve: {config}:3: [server] prot: unknown key (did you mean "port"?)'


def test_config_file_settings_and_overrides(tmp_path):
    """The file's token and cache are used; --port on the command line wins over the file's."""
    write_dataset(tmp_path / "cache")
    server = Server(CLI, tmp_path, f"""
[server]
port = 9
token_file = "{token_file(tmp_path, 'from-the-file')}"
web_dir = "{tiny_web(tmp_path / 'web')}"
[data]
cache_dir = "cache"
[logging]
file = "server.log"
""").wait_ready()
    try:
        status, body, _ = request(server.url + "/api/datasets")
        assert status == 200 and [d["id"] for d in body["datasets"]] == ["binance.BTC-USDT.1h"]
        body = {"strategy": SLOW.replace("time.sleep(0.05)", "pass"), "dataset": "binance.BTC-USDT.1h",
                "params": {"pid": str(tmp_path / "pid")}}
        assert request(server.url + "/api/backtests", body, token="from-the-file")[0] == 200
        assert request(server.url + "/api/backtests", body, token=TOKEN)[0] == 401
    finally:
        assert server.stop() == 0
    records = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines()]
    access = [r for r in records if r["logger"] == "uvicorn.access"]
    assert {(r["method"], r["path"], r["status"]) for r in access} >= {("GET", "/api/datasets", 200),
                                                                         ("POST", "/api/backtests", 401)}
    assert "from-the-file" not in (tmp_path / "server.log").read_text() + server.stderr()


def test_log_file_rotates(tmp_path):
    logs.setup(format="json", file=tmp_path / "server.log", max_mb=0.002, backups=2, stream=io.StringIO())
    log = logging.getLogger("cracktrader.host")
    for i in range(100):
        log.info("tick", extra={"fields": {"i": i}})
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["server.log", "server.log.1", "server.log.2"]
    assert all(json.loads(line)["message"] == "tick" for line in (tmp_path / "server.log.1").read_text().splitlines())
    for name in ("cracktrader", "uvicorn"):
        logging.getLogger(name).handlers[:] = []


def test_text_logs_on_a_terminal_json_elsewhere():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    for stream, is_json in ((Tty(), False), (io.StringIO(), True)):
        logs.setup(stream=stream)
        logging.getLogger("cracktrader.host").warning("hello", extra={"fields": {"n": 1}})
        line = stream.getvalue().strip()
        assert line.startswith("{") == is_json and "hello" in line and "n" in line
    for name in ("cracktrader", "uvicorn"):
        logging.getLogger(name).handlers[:] = []


def test_sigterm_before_any_request_exits_0(tmp_path):
    server = Server(CLI, tmp_path, "", args=["--web-dir", str(tiny_web(tmp_path / "web"))]).wait_ready()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=20) == 0
