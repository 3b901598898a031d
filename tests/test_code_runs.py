"""Code runs on a real server process: a hostile strategy hits its limit and gets an answer
naming it, everything it forked dies with it, runs queue and overflow with Retry-After, and
the server keeps answering meanwhile."""

import sys
import threading
import time
from pathlib import Path

import pytest

import cracktrader as ct
from cracktrader.synthetic import random_walk
from support.server_process import Server, request, tiny_web

H = 3_600_000
CLI = Path(sys.executable).with_name("cracktrader")
LIMITS = """
[runs]
memory_mb = 300
cpu_seconds = 4
timeout_seconds = 90
max_processes = 4
max_concurrent = 1
max_queued = 1
"""
HEADER = "import os, time\nimport cracktrader as ct\n"
# Allocates 20 MB more every bar and keeps it.
HOG = HEADER + """
class Hog(ct.Strategy):
    def init(self):
        self.kept = []
    def next(self):
        self.kept.append(bytearray(20_000_000))
"""


def forking(workers, work):
    """A strategy whose init() forks `workers` processes doing `work` (their pids go to the file
    named by the `pids` param), then sleeps a little every bar."""
    return HEADER + f"""
class Forking(ct.Strategy):
    params = dict(pids="")
    def init(self):
        for _ in range({workers}):
            pid = os.fork()
            if pid == 0:
                {work}
                os._exit(0)
            if self.p.pids:
                open(self.p.pids, "a").write(f"{{pid}}\\n")
    def next(self):
        time.sleep(0.05)
"""


# Three workers that each fill 150 MB and wait: 450 MB for the run, 150 MB each.
FORK_HOG = forking(3, "block = bytearray(150_000_000); time.sleep(60)")
# Two workers that spin: the run's CPU time grows twice as fast as the clock.
FORK_SPIN = forking(2, "while True: pass")
FORK_MANY = forking(10, "time.sleep(60)")
SPIN = HEADER + """
class ForkSpin(ct.Strategy):
    params = dict(pids="")
    def init(self):
        for _ in range(2):
            pid = os.fork()
            if pid == 0:
                while True:
                    pass
            open(self.p.pids, "a").write(f"{pid}\\n")
    def next(self):
        time.sleep(0.05)
"""
FORK_MANY = HEADER + """
class ForkMany(ct.Strategy):
    def init(self):
        for _ in range(10):
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
    def next(self):
        time.sleep(0.05)
"""
SPIN = HEADER + """
class Spin(ct.Strategy):
    def next(self):
        while True:
            pass
"""
SLOW = HEADER + """
class Slow(ct.Strategy):
    params = dict(out="")
    def init(self):
        if self.p.out:
            open(self.p.out, "w").write(open("/proc/self/oom_score_adj").read())
    def next(self):
        time.sleep(0.004)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    close = random_walk(400, seed=5)
    ct.data.Cache(root / "cache").write(ct.Candles.from_columns(
        [i * H for i in range(400)], close, [c * 1.01 for c in close], [c * 0.99 for c in close], close,
        [1.0] * 400, exchange="binance", symbol="BTC/USDT", timeframe="1h"))
    server = Server(CLI, root, LIMITS, args=["--web-dir", str(tiny_web(root / "web")), "--token", "test-token",
                                             "--cache", str(root / "cache")])
    yield server.wait_ready()
    server.kill()


def run(server, strategy, **params):
    return request(server.url + "/api/backtests", {"strategy": strategy, "dataset": "binance.BTC-USDT.1h",
                                                     "params": params})


def gone(pid):
    """The process is no more (or a zombie waiting for a reaper that is not ours)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def all_gone(pid_file, timeout=5):
    """The processes listed in `pid_file` end (SIGKILL takes a moment on a busy machine)."""
    pids = [int(p) for p in pid_file.read_text().split()]
    deadline = time.monotonic() + timeout
    while not all(gone(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids and all(gone(p) for p in pids)


class HealthWatch:
    """Polls /api/health while a hostile run goes on: the server must keep answering."""

    def __init__(self, url):
        self.url, self.slowest, self.failures, self._stop = url, 0.0, [], threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        while not self._stop.is_set():
            t = time.monotonic()
            status, body, _ = request(self.url + "/api/health", timeout=10)
            self.slowest = max(self.slowest, time.monotonic() - t)
            if status != 200:
                self.failures.append((status, body))
            time.sleep(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def test_unbounded_allocation_hits_the_memory_limit(server):
    with HealthWatch(server.url) as health:
        status, body, _ = run(server, HOG)
    assert status == 422, body
    assert body["kind"] == "limit" and body["limit"] == "memory_mb" and body["value"] == 300
    assert "300 MB of memory ([runs] memory_mb)" in body["error"]
    assert not health.failures and health.slowest < 2.0
    assert run(server, SLOW)[0] == 200  # the server is fine afterwards


def test_forked_workers_count_against_the_run_and_die_with_it(server, tmp_path):
    pids = tmp_path / "pids"
    status, body, _ = run(server, FORK_HOG, pids=str(pids))
    assert status == 422 and body["limit"] == "memory_mb", body
    assert len(pids.read_text().split()) == 3
    assert all_gone(pids)


def test_cpu_time_of_forked_workers_counts(server, tmp_path):
    pids = tmp_path / "pids"
    status, body, _ = run(server, FORK_SPIN, pids=str(pids))
    # Not the wall clock's 408: the workers' CPU time added up to the run's limit first.
    assert status == 422 and body["limit"] == "cpu_seconds", body
    assert "4 s of CPU time ([runs] cpu_seconds)" in body["error"]
    assert all_gone(pids)


def test_a_busy_loop_hits_the_cpu_limit(server):
    status, body, _ = run(server, SPIN)
    assert status == 422 and body["limit"] == "cpu_seconds", body


def test_too_many_processes(server):
    status, body, _ = run(server, FORK_MANY)
    assert status == 422 and body["limit"] == "max_processes" and body["value"] == 4, body


def test_runs_queue_then_overflow_with_retry_after(server):
    results = []
    threads = [threading.Thread(target=lambda: results.append(run(server, SLOW))) for _ in range(3)]
    for t in threads:
        t.start()
        time.sleep(0.3)  # in order: one runs, one waits, the third finds the queue full
    for t in threads:
        t.join()
    statuses = sorted(r[0] for r in results)
    assert statuses == [200, 200, 429], [r[1] for r in results]
    (refused,) = [r for r in results if r[0] == 429]
    assert refused[1]["kind"] == "busy" and int(refused[2]["Retry-After"]) >= 1
    assert "max_concurrent" in refused[1]["error"]


def test_runs_are_first_for_the_oom_killer(server, tmp_path):
    out = tmp_path / "oom"
    assert run(server, SLOW, out=str(out))[0] == 200
    assert out.read_text().strip() == "1000"
    given = int(Path("/proc/self/oom_score_adj").read_text())  # the server inherited this test's score
    server_score = int(Path(f"/proc/{server.proc.pid}/oom_score_adj").read_text())
    assert server_score == min(given + 100, 999) < 1000  # after the runs, before its live sessions (host/oom.py)


def test_health_reports_the_runs(server):
    status, body, _ = request(server.url + "/api/health")
    assert status == 200 and body["status"] == "ok"
    runs = body["services"]["runs"]
    assert runs["state"] == "running" and runs["running"] == 0 and runs["limits"]["memory_mb"] == 300


def _spin_forever():
    while True:
        pass


def test_a_run_stopped_before_its_process_started_is_killed_all_the_same():
    """A limit hit while the spawned child is still booting (before its setsid) must kill it:
    the group kill alone found no group, and the server waited on the child forever."""
    import asyncio
    import multiprocessing

    from cracktrader.host.code_runs import CodeRuns, Limits, Refused

    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(Refused) as refused:
            loop.run_until_complete(asyncio.wait_for(CodeRuns(Limits(timeout_seconds=0.001)).run(_spin_forever), 30))
    finally:
        for child in multiprocessing.active_children():
            child.kill()
        loop.close()
    assert refused.value.status == 408
