"""Live sessions under a real `cracktrader serve` process, as a service runs them: SIGTERM stops
them cleanly (journals closed, every bar and order kept) and the next start resumes them; their
workers are the last the OOM killer picks; hostile code runs (unbounded memory, forked
spinners) hit their limits while a paper session on the same server keeps trading."""

import json
import os
import sqlite3
import sys
import threading
from pathlib import Path

import cracktrader as ct
from cracktrader.live import read_bars, read_events, read_state, running
from cracktrader.synthetic import random_walk
from support.live_host import advance, request, serve_config
from support.live import sim_fixture, wait_until
from support.server_process import Server, tiny_web
from support.server_process import request as http
from test_code_runs import FORK_SPIN, HOG, LIMITS, all_gone

CLI = Path(sys.executable).with_name("cracktrader")
TOKEN = "test-token"
H = 3_600_000


sim = sim_fixture(fee_asset="quote")


class Served:
    """`cracktrader serve` with the simulator's market-data account and a live folder."""

    def __init__(self, sim, folder, live_dir, runs=""):
        folder.mkdir(parents=True, exist_ok=True)
        self.server = Server(CLI, folder, runs + "\n" + serve_config(sim, folder, live_dir, trading=False),
                             args=["--web-dir", str(tiny_web(folder / "web")), "--token", TOKEN,
                                   "--cache", str(folder / "cache")])
        self.server.wait_ready()
        self.url = self.server.url

    def api(self, method, path, body=None):
        status, answer, _ = http(self.url + path, body)
        return status, answer

    def session(self, sid):
        status, answer = self.api("GET", f"/api/live/{sid}")
        assert status == 200, answer
        return answer

    def start_paper(self, strategy="Every"):
        status, body = self.api("POST", "/api/live", request(strategy, account="sim-data", mode="paper"))
        assert status == 201, body
        sid = body["id"]
        wait_until(lambda: self.session(sid)["state"].get("health") == "ok", 60, "the session to start")
        return sid, self.session(sid)["worker"]["pid"]


def filled(journal):
    return [e for e in read_events(journal, kinds=["order"]) if e["data"].get("status") == "filled"]


def test_sigterm_stops_live_sessions_cleanly_and_the_next_start_resumes_them(sim, tmp_path):
    live_dir = tmp_path / "live"
    first = Served(sim, tmp_path / "first", live_dir)
    sid, worker = first.start_paper()
    journal = live_dir / sid / "journal.sqlite"
    advance(sim, first, sid, 4, first=1)
    before = read_events(journal)
    assert len(filled(journal)) >= 2  # Every buys every 2 bars and sells the next

    assert first.server.stop(timeout=60) == 0
    assert not Path(f"/proc/{worker}").exists()  # the worker ended with the server, not left behind
    assert running(journal) is None and read_state(journal)["health"] == "stopped"
    with sqlite3.connect(journal) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    after = read_events(journal)
    assert after[:len(before)] == before  # nothing lost
    assert [e["data"]["what"] for e in after if e["kind"] == "session"][-1] == "stopped"
    log = [(r["message"], r.get("service")) for r in first.server.log()]
    assert ("service stopped", "live") in log and log[-1][0] == "stopped"
    assert json.loads((live_dir / sid / "session.json").read_text())["desired"] == "running"

    second = Served(sim, tmp_path / "second", live_dir)
    try:
        wait_until(lambda: second.session(sid)["state"].get("health") == "ok", 60, "the session to resume")
        advance(sim, second, sid, 2, first=5)
        events = read_events(journal)
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert [e["data"]["what"] for e in events if e["kind"] == "session"][:3] == ["started", "stopped", "resumed"]
        assert [r[0] for r in read_bars(journal)][-6:] == [sim_bar for sim_bar in _bar_times(1, 6)]
    finally:
        assert second.server.stop(timeout=60) == 0


def _bar_times(first, n):
    from support.live import bar_time

    return [bar_time(k - 1) for k in range(first, first + n)]


def test_session_workers_are_the_last_for_the_oom_killer(sim, tmp_path):
    served = Served(sim, tmp_path, tmp_path / "live")
    try:
        _, worker = served.start_paper()

        def score(pid):
            return int(Path(f"/proc/{pid}/oom_score_adj").read_text())

        given = score("self")  # the server's environment gave it this test's score
        server = score(served.server.proc.pid)
        assert server == min(given + 100, 999)  # raised: the server is restarted, sessions outlive it
        # -500 where lowering a score is allowed (CAP_SYS_RESOURCE), else the server's given score.
        assert score(worker) in (-500, given) and score(worker) < server
        if can_lower_oom_score():
            assert score(worker) == -500
    finally:
        served.server.stop(timeout=60)


def can_lower_oom_score():
    import subprocess

    probe = "import pathlib; p = pathlib.Path('/proc/self/oom_score_adj'); p.write_text('-500'); print(p.read_text())"
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.strip() == "-500"


def test_hostile_runs_hit_their_limits_while_a_paper_session_keeps_trading(sim, tmp_path):
    close = random_walk(400, seed=5)
    ct.data.Cache(tmp_path / "cache").write(ct.Candles.from_columns(
        [i * H for i in range(400)], close, [c * 1.01 for c in close], [c * 0.99 for c in close], close,
        [1.0] * 400, exchange="binance", symbol="BTC/USDT", timeframe="1h"))
    served = Served(sim, tmp_path, tmp_path / "live", runs=LIMITS.replace("max_concurrent = 1", "max_concurrent = 2"))
    try:
        sid, worker = served.start_paper()
        journal = tmp_path / "live" / sid / "journal.sqlite"
        advance(sim, served, sid, 2, first=1)
        fills_before = len(filled(journal))

        answers = {}
        pids = tmp_path / "pids"

        def run(name, strategy, **params):
            answers[name] = http(served.url + "/api/backtests", {"strategy": strategy,
                                                                 "dataset": "binance.BTC-USDT.1h", "params": params})

        runs = [threading.Thread(target=run, args=("hog", HOG)),
                threading.Thread(target=run, args=("spin", FORK_SPIN), kwargs={"pids": str(pids)})]
        for t in runs:
            t.start()
        k = 3
        while any(t.is_alive() for t in runs) or k < 7:  # bars go on while the runs do, and after
            advance(sim, served, sid, 1, first=k)
            k += 1
        for t in runs:
            t.join()

        assert answers["hog"][0] == 422 and answers["hog"][1]["limit"] == "memory_mb", answers["hog"]
        assert answers["spin"][0] == 422 and answers["spin"][1]["limit"] == "cpu_seconds", answers["spin"]
        assert all_gone(pids)
        state = served.session(sid)
        assert state["worker"]["pid"] == worker and state["worker"]["restarts"] == 0  # never died
        assert state["state"]["health"] == "ok"
        assert len(filled(journal)) >= fills_before + 2  # it kept trading
        bars = [r[0] for r in read_bars(journal)]
        assert bars[-(k - 1):] == _bar_times(1, k - 1)  # every bar, none missed or doubled
    finally:
        served.server.stop(timeout=60)
