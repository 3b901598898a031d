"""Live sessions on the host: real worker processes trading against the exchange simulator,
started, watched and stopped through the HTTP API and the events WebSocket."""

import os
import signal

import pytest

from cracktrader.live import read_events
from support.live_host import LiveHost, accounts, advance, request, stalled_socket
from support.live import KEY, START, sim_fixture, wait_until


sim = sim_fixture(fee_asset="quote")


@pytest.fixture
def host(sim, tmp_path):
    h = LiveHost(tmp_path, accounts(sim, tmp_path)).start()
    yield h
    h.stop()


def test_a_paper_session_from_start_to_stop(sim, host):
    status, body = host.api("POST", "/api/live", request("Cross", account="sim-data", mode="paper", name="cross"))
    assert status == 201, body
    sid = body["id"]
    assert body["name"] == "cross" and body["config"]["mode"] == "paper" and body["desired"] == "running"
    wait_until(lambda: host.session(sid)["state"].get("health") == "ok", 60, "the session to start")
    socket = host.events(sid=sid)
    socket.until(lambda s: s.hello is not None)
    assert socket.hello["state"]["mode"] == "paper"
    advance(sim, host, sid, 5, first=1)
    socket.until(lambda s: sum(e["kind"] == "bar" for e in s.events) >= 5, what="five bars")
    seqs = [e["seq"] for e in socket.events]
    assert seqs == list(range(1, len(seqs) + 1))  # numbered from 1, none missing, none twice
    assert host.api("GET", "/api/live")[1]["sessions"][0]["id"] == sid
    bars = host.api("GET", f"/api/live/{sid}/bars")[1]
    assert len(bars["time"]) == 30 + 5 and bars["time"][-1] == START + 4 * 60_000
    lines = {o["name"]: o for o in bars["overlays"]}  # Cross's two SMAs, over the candles, at every bar
    assert sorted(lines) == ["SMA(close, 3)", "SMA(close, 8)"] and {o["pane"] for o in lines.values()} == {"price"}
    for name, n in (("SMA(close, 3)", 3), ("SMA(close, 8)", 8)):
        close, values = bars["close"], lines[name]["values"]
        assert values[:n - 1] == [None] * (n - 1)
        assert values[n - 1:] == pytest.approx([sum(close[i - n + 1:i + 1]) / n for i in range(n - 1, len(close))])

    status, body = host.api("POST", f"/api/live/{sid}/stop")
    assert status == 200 and body["desired"] == "stopped"
    wait_until(lambda: not host.session(sid)["worker"]["running"], 30, "the session to stop")
    assert host.session(sid)["state"]["health"] == "stopped" and host.session(sid)["worker"]["exit_code"] == 0
    socket.until(lambda s: any(e["kind"] == "session" and e["data"]["what"] == "stopped" for e in s.events))

    # Resumed from its journal: the numbers go on.
    host.api("POST", f"/api/live/{sid}/resume")
    wait_until(lambda: host.session(sid)["state"].get("health") == "ok", 60, "the session to resume")
    again = host.events(after=seqs[-1], sid=sid)
    advance(sim, host, sid, 1, first=6)
    again.until(lambda s: any(e["kind"] == "bar" for e in s.events))
    assert again.events[0]["seq"] == seqs[-1] + 1
    socket.close()
    again.close()


def test_exchange_session_fills_and_kill_switch(sim, host):
    status, body = host.api("POST", "/api/live", request("Every", params={"size": 0.001, "every": 1, "hold": 100}))
    assert status == 201, body
    sid = body["id"]
    wait_until(lambda: host.session(sid)["state"].get("health") == "ok", 60, "the session to start")
    advance(sim, host, sid, 3, first=1)
    wait_until(lambda: host.session(sid)["state"]["position"]["size"] > 0, 30, "a fill")
    socket = host.events(sid=sid)
    socket.until(lambda s: any(e["kind"] == "fill" for e in s.events), what="a fill event")

    status, body = host.api("POST", f"/api/live/{sid}/kill")
    assert status == 200
    wait_until(lambda: host.session(sid)["state"]["position"]["size"] == 0, 30, "the kill switch to flatten")
    state = host.session(sid)["state"]
    assert state["risk"]["state"] == "halted" and state["open_orders"] == []
    assert sim.open_orders(KEY) == []
    assert max(sim.placed_client_ids().values()) == 1
    socket.until(lambda s: any(e["kind"] == "control" and e["data"]["command"] == "kill_done" for e in s.events))
    socket.close()


def test_a_killed_worker_is_restarted_and_reconciles(sim, host):
    sid = host.api("POST", "/api/live", request("Every", params={"size": 0.001, "every": 2, "hold": 1}))[1]["id"]
    wait_until(lambda: host.session(sid)["state"].get("health") == "ok", 60, "the session to start")
    advance(sim, host, sid, 3, first=1)
    pid = host.session(sid)["worker"]["pid"]
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: host.session(sid)["worker"]["restarts"] == 1 and host.session(sid)["worker"]["running"]
               and host.session(sid)["worker"]["pid"] != pid, 30, "the restart")
    wait_until(lambda: host.session(sid)["state"].get("health") == "ok", 60, "the session to resume")
    advance(sim, host, sid, 3, first=4)
    journal = host.sessions.sessions[sid].journal
    what = [e["data"]["what"] for e in read_events(journal, kinds=["session"])]
    assert what.count("resumed") == 1 and "reconciled" in what
    assert max(sim.placed_client_ids().values()) == 1


def test_sessions_survive_a_restart_of_the_host(sim, tmp_path):
    first = LiveHost(tmp_path, accounts(sim, tmp_path)).start()
    sid = first.api("POST", "/api/live", request("Cross", account="sim-data", mode="paper"))[1]["id"]
    wait_until(lambda: first.session(sid)["state"].get("health") == "ok", 60, "the session to start")
    advance(sim, first, sid, 2, first=1)
    first.stop()  # SIGTERM's path: sessions end their step and close their journals
    journal = first.sessions.sessions[sid].journal
    from cracktrader.live import read_state, running

    assert running(journal) is None and read_state(journal)["health"] == "stopped"
    second = LiveHost(tmp_path, accounts(sim, tmp_path)).start()
    try:
        wait_until(lambda: second.session(sid)["state"].get("health") == "ok", 60, "the session to resume")
        advance(sim, second, sid, 2, first=3)
        what = [e["data"]["what"] for e in read_events(journal, kinds=["session"])]
        assert what == ["started", "stopped", "resumed"]
    finally:
        second.stop()


def test_bad_requests_are_refused_with_reasons(host):
    assert host.api("GET", "/api/live", token="")[0] == 401
    assert host.api("POST", "/api/live", request(), token="wrong")[0] == 401
    cases = [
        (dict(request(), color="red"), 400, "unknown field(s): color"),
        (dict(request(), account="nope"), 400, "no account named 'nope'"),
        (dict(request(), strategy="class X(:\n"), 422, "strategy.py, line 1"),
        (dict(request(), account="sim-data"), 400, "has no keys"),
        (dict(request(mode="paper"), account=None, exchange="nope"), 400, "ccxt exchange id"),
        (dict(request(), symbol="BTCUSDT"), 400, "symbol must be a ccxt symbol"),
        (dict(request(), risk={"max_drawdown": "x"}), 400, "max_drawdown"),
        (dict(request(), keep_bars=0), 400, "keep_bars must be a number of bars >= 1"),
    ]
    for body, status, words in cases:
        got, answer = host.api("POST", "/api/live", body)
        assert got == status and words in answer["error"], (body, answer)
    assert host.api("GET", "/api/live/nosuch")[0] == 404
    assert host.api("POST", "/api/live/nosuch/kill")[0] == 404


def test_real_money_needs_confirmation(sim, tmp_path):
    real = accounts(sim, tmp_path)
    real["sim"]["sandbox"] = False  # as if it were the real exchange (nothing is sent: refused first)
    host = LiveHost(tmp_path, real).start()
    try:
        status, body = host.api("POST", "/api/live", request())
        assert status == 400 and body["field"] == "confirm_live" and "real money" in body["error"]
        assert host.api("GET", "/api/live")[1]["sessions"] == []
    finally:
        host.stop()


def test_wrong_token_on_the_socket(sim, host):
    sid = host.api("POST", "/api/live", request("Cross", account="sim-data", mode="paper"))[1]["id"]
    socket = host.events(sid=sid, token="wrong")
    message = socket.read()
    assert message == {"type": "error", "error": "a valid API token is required", "code": 4401}
    from websockets.exceptions import ConnectionClosed

    with pytest.raises(ConnectionClosed) as closed:
        socket.read()
    assert closed.value.rcvd.code == 4401


def test_a_slow_client_is_dropped_and_others_go_on(sim, host, monkeypatch):
    from cracktrader.host.live import events
    from cracktrader.live.journal import Journal

    sid = host.api("POST", "/api/live", request("Cross", account="sim-data", mode="paper"))[1]["id"]
    wait_until(lambda: host.session(sid)["state"].get("health") == "ok", 60, "the session to start")
    host.api("POST", f"/api/live/{sid}/stop")
    wait_until(lambda: not host.session(sid)["worker"]["running"], 30, "the session to stop")
    journal = Journal.open(host.sessions.sessions[sid].journal)
    for i in range(30_000):  # a long history: more than the socket buffers hold
        journal.event("log", {"source": "strategy", "text": f"line {i:06d} " + "x" * 80}, START + i)
    journal.commit()
    journal.close()
    monkeypatch.setattr(events, "SEND_TIMEOUT", 1.0)
    feeds = host.app.state.live_feeds
    slow = stalled_socket(host, f"/api/live/{sid}/events", '{"token": "%s", "after": 0}' % host.token)
    try:
        wait_until(lambda: len(feeds.sockets) == 1, 10, "the slow client to connect")
        wait_until(lambda: not feeds.sockets, 30, "the slow client to be dropped")  # it never reads
        fast = host.events(sid=sid)
        fast.until(lambda s: len(s.events) >= 30_000, what="the whole history")
        assert [e["seq"] for e in fast.events] == list(range(1, len(fast.events) + 1))
        fast.close()
    finally:
        slow.close()


def test_keys_never_leave_the_server(sim, host, tmp_path):
    from support.live import SECRET

    sid = host.api("POST", "/api/live", request("Every", params={"size": 0.001, "every": 1, "hold": 1}))[1]["id"]
    wait_until(lambda: host.session(sid)["state"].get("health") == "ok", 60, "the session to start")
    socket = host.events(sid=sid)
    advance(sim, host, sid, 3, first=1)
    host.api("POST", f"/api/live/{sid}/kill")
    socket.until(lambda s: any(e["kind"] == "fill" for e in s.events))
    seen = [str(host.api("GET", path)[1]) for path in ("/api/live", f"/api/live/{sid}", f"/api/live/{sid}/bars",
                                                         "/api/live/accounts")]
    seen += [str(socket.events), str(socket.states), str(socket.hello)]
    socket.close()
    host.api("POST", f"/api/live/{sid}/stop")
    wait_until(lambda: not host.session(sid)["worker"]["running"], 30, "the session to stop")
    folder = host.sessions.sessions[sid].folder
    files = [p for p in folder.iterdir() if p.is_file()]
    assert {"session.json", "journal.sqlite", "worker.log"} <= {p.name for p in files}
    for secret in (SECRET, KEY):
        for text in seen:
            assert secret not in text
        for path in files:
            assert secret.encode() not in path.read_bytes(), path
    assert "key_file" not in str(seen) and "sim-keys.json" not in str(seen)
