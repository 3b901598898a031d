"""`cracktrader live run|status|stop|resume` as a user runs them (real subprocesses)."""

import json
import subprocess

from cracktrader.live import read_state, send_command
from support.live import CLI, bar_time, cli_args, env, sim_fixture, start, trading_sim, wait_until


def cli(*args, **kw):
    return subprocess.run([CLI, "live", *map(str, args)], capture_output=True, text=True, env=env(), timeout=120, **kw)


def test_help_and_one_line_errors(tmp_path):
    assert cli("--help").returncode == 0 and "run" in cli("--help").stdout
    for action in ("run", "status", "stop", "resume"):
        assert cli(action, "--help").returncode == 0
    out = cli("run", "nope.py", "--exchange", "binance", "--symbol", "BTC/USDT", "--timeframe", "1m", "--journal",
              tmp_path / "j")
    assert out.returncode == 2 and "nope.py: cannot read the strategy file" in out.stderr
    out = cli("status", "--journal", tmp_path / "missing")
    assert out.returncode == 2 and out.stderr.strip().endswith("no such journal") and len(out.stderr.splitlines()) == 1


def test_real_money_needs_an_explicit_flag(tmp_path):
    sim = trading_sim()
    try:
        args = [a for a in cli_args(sim, tmp_path, tmp_path / "s.journal") if a != "--sandbox"]
        out = subprocess.run(args, capture_output=True, text=True, env=env(), timeout=120)
        assert out.returncode == 2 and "pass --live (or --sandbox" in out.stderr
        assert not (tmp_path / "s.journal").exists() and not sim.requests
    finally:
        sim.stop()


sim = sim_fixture(fee_asset="quote")


def wait_bar(journal, k):
    wait_until(lambda: _state(journal).get("last_bar_time") == bar_time(k - 1), what=f"bar {k}")


def _state(journal):
    try:
        return read_state(journal)
    except Exception:  # noqa: BLE001
        return {}


def test_run_status_stop_resume_and_flatten(sim, tmp_path):
    journal = tmp_path / "s.journal"
    args = cli_args(sim, tmp_path, journal, mode="paper", strategy="Every", params=dict(size=0.01, every=2, hold=100))
    log = open(tmp_path / "log", "wb")
    proc = start(args, log)
    wait_until(lambda: _state(journal).get("health") == "ok", what="the session")
    for k in range(1, 4):
        sim.clock.set(bar_time(k) + 1500)
        wait_bar(journal, k)
    out = cli("status", "--journal", journal)
    assert out.returncode == 0 and "running (pid" in out.stdout and "position 0.01 BTC" in out.stdout
    out = cli("stop", "--journal", journal, "--wait", 30)
    assert out.returncode == 0 and "stop sent" in out.stdout and proc.wait(timeout=10) == 0
    state = json.loads(cli("status", "--journal", journal, "--json").stdout)
    assert state["running"] is False and state["health"] == "stopped" and state["position"]["size"] == 0.01

    proc = start([CLI, "live", "resume", "--journal", str(journal)], log)  # from the journal alone
    wait_until(lambda: _state(journal).get("running") and _state(journal).get("health") == "ok", what="the resume")
    sim.clock.set(bar_time(4) + 1500)
    wait_bar(journal, 4)
    assert cli("stop", "--journal", journal, "--wait", 30).returncode == 0 and proc.wait(timeout=10) == 0

    # nobody runs it: `stop --flatten` starts it, cancels, closes the position (a paper close fills at
    # the next bar's open), then stops it, halted
    flatten = start([CLI, "live", "stop", "--journal", str(journal), "--flatten"], log)
    wait_until(lambda: _state(journal).get("killing"), what="the kill switch")
    sim.clock.set(bar_time(6) + 1500)
    assert flatten.wait(timeout=60) == 0
    state = json.loads(cli("status", "--journal", journal, "--json").stdout)
    assert state["position"]["size"] == 0 and state["risk"]["state"] == "halted" and not state["running"]
    proc = start([CLI, "live", "run", *args[3:]], log)  # run again: still halted
    wait_until(lambda: _state(journal).get("running") and _state(journal).get("health") == "ok", what="the run")
    assert _state(journal)["risk"]["state"] == "halted"
    assert "resume sent (command" in cli("resume", "--journal", journal).stdout
    wait_until(lambda: _state(journal).get("risk", {}).get("state") == "normal", what="the resume")
    assert cli("stop", "--journal", journal, "--wait", 30).returncode == 0 and proc.wait(timeout=10) == 0


def test_the_python_api(sim, tmp_path):
    import threading

    import cracktrader as ct
    from support.live_strategies import Every
    from support.live import exchange_config

    out = {}
    journal = tmp_path / "api.journal"
    run = threading.Thread(target=lambda: out.update(session=ct.live(
        Every, exchange="binance", symbol="BTC/USDT", timeframe="1m", mode="paper", sandbox=True, journal=journal,
        params=dict(size=0.01, every=2), exchange_config=exchange_config(sim), clock="exchange", poll=0.05,
        warmup=30, cache=str(tmp_path / "cache"), bars=3)))
    run.start()
    wait_until(lambda: _state(journal).get("health") == "ok", what="the session")
    for k in range(1, 4):
        sim.clock.set(bar_time(k) + 1500)
        wait_until(lambda: _state(journal).get("last_bar_time") == bar_time(k - 1) or not run.is_alive(), what=f"bar {k}")
    run.join(timeout=30)
    result = out["session"].result()
    assert len(result.equity) == 30 + 3 and [o.status for o in result.orders] == ["filled", "accepted"]
    assert _state(journal)["health"] == "stopped"


def test_a_terminal_shows_a_status_line(sim, tmp_path):
    """On a TTY: one line rewritten in place (bars, position, open orders, equity, risk); the
    session's messages are printed above it."""
    import os
    import pty

    journal = tmp_path / "s.journal"
    args = cli_args(sim, tmp_path, journal, mode="paper", strategy="Every", params=dict(size=0.01, every=2, hold=100),
                    extra=["--bars", "4"])
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env())
    os.close(slave)
    try:
        wait_until(lambda: _state(journal).get("health") == "ok", what="the session")
        for k in range(1, 5):
            if k == 4:  # the kill switch: a message, then the paper close fills at the next open
                send_command(journal, "kill")
                wait_until(lambda: _state(journal).get("killing"), what="the kill switch")
            sim.clock.set(bar_time(k) + 1500)
            wait_bar(journal, k)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the session ended and closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    text = out.decode()
    lines = [part.rstrip("\r").rsplit("\r", 1)[-1].replace("\x1b[K", "") for part in text.split("\n")]  # (the tty adds \r)
    shown = [part.replace("\x1b[K", "") for part in text.replace("\n", "\r").split("\r") if " bars · " in part]
    assert "BTC/USDT paper · 0 bars · position 0 BTC · 0 open orders · equity 10,000.00 USDT · risk normal" in shown
    assert any(s.startswith("BTC/USDT paper · 2 bars · position 0 BTC · 1 open orders") for s in shown)  # bought at bar 2
    assert any(s.startswith("BTC/USDT paper · 3 bars · position 0.01 BTC · 0 open orders") for s in shown)
    assert any(line.startswith("cracktrader live: risk state halted") for line in lines)  # a line of its own
    assert any(s.startswith("BTC/USDT paper · 4 bars · position 0 BTC · 0 open orders") and
               s.endswith("risk halted (kill_switch) · stopped") for s in shown)
    assert lines[-1] == ""  # the status line ends with a newline when the session stops


def test_live_prints_its_summary_before_any_order(sim, tmp_path):
    """--live (real money): the account, symbol and limits are printed (and journaled) before the
    first order leaves."""
    from cracktrader.live import read_events
    from support.live import KEY, SECRET

    journal = tmp_path / "s.journal"
    cfg_file = tmp_path / "live.json"
    cfg_file.write_text(json.dumps(sim.ccxt_options()))  # every ccxt URL section: the simulator's
    args = cli_args(sim, tmp_path, journal, strategy="Every", params=dict(size=0.001, every=2),
                    extra=["--bars", "3", "--max-order-notional", "500"])
    args = [a for a in args if a != "--sandbox"] + ["--live"]
    args[args.index("--exchange-config") + 1] = str(cfg_file)
    with open(tmp_path / "log", "wb") as log:
        proc = start(args, log)
        wait_until(lambda: _state(journal).get("health") == "ok", what="the session")
        for k in range(1, 4):
            sim.clock.set(bar_time(k) + 1500)
            wait_bar(journal, k)
        assert proc.wait(timeout=30) == 0
    out = (tmp_path / "log").read_text()
    assert "LIVE, real money, on binance (127.0.0.1:" in out
    assert "account 0 BTC, 10000 USDT free of 10000; session cash 10000 USDT" in out and "max_order_notional=500" in out
    events = read_events(journal)
    summary = next(e["seq"] for e in events if e["kind"] == "log" and "LIVE, real money" in e["data"]["text"])
    sending = [e["seq"] for e in events if e["kind"] == "order" and e["data"].get("status") == "sending"]
    assert sending and summary < sending[0]
    assert sim.placed_client_ids() and all(n == 1 for n in sim.placed_client_ids().values())
    assert KEY not in out and SECRET not in out
