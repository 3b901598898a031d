"""`cracktrader live run|status|stop|resume` as a user runs them (real subprocesses)."""

import json
import subprocess

import pytest

from cracktrader.live import read_state
from live_support import CLI, bar_time, cli_args, env, start, trading_sim, wait_until


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


@pytest.fixture
def sim():
    s = trading_sim(fee_asset="quote")
    yield s
    s.stop()


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
    from live_strategies import Every
    from live_support import exchange_config

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
