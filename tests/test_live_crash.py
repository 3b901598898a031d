"""Crash safety: a `cracktrader live run` exchange session in a subprocess killed with SIGKILL at
five points of the order path, then started again: the simulator saw each client order id at
most once, no order is lost, and the journal's orders and position equal the exchange's.

The kill points are deterministic: where the order path is inside our process, the session
kills itself (CRACKTRADER_CRASH_AT, see cracktrader/live/crash.py); where the exchange holds the
answer, the simulator holds it (a fault with `hold`) and the test kills the process."""

import json
import signal
import threading

import pytest

from cracktrader.live import read_state, send_command
from cracktrader.live.journal import Journal
from support.live import KEY, bar_time, cli_args, sim_fixture, start, wait_until
from support.exchange_sim import Fault


sim = sim_fixture(fee_asset="quote")


class Run:
    """A session subprocess and the clock the test moves under it."""

    def __init__(self, sim, tmp_path, strategy, params):
        self.sim, self.tmp = sim, tmp_path
        self.journal = tmp_path / "s.journal"
        self.args = cli_args(sim, tmp_path, self.journal, strategy=strategy, params=params)
        self.log = open(tmp_path / "session.log", "ab")
        self.bar = 0

    def start(self, **env):
        self.proc = start(self.args, self.log, **env)
        wait_until(lambda: self.proc.poll() is not None or (self.journal.exists() and _state(self.journal).get("health") == "ok"),
                   what="the session to start")
        assert self.proc.poll() is None, self.output()

    def next_bar(self):
        """Moves the clock into the next bar; waits until the session processed the closed one."""
        self.bar += 1
        self.sim.clock.set(bar_time(self.bar) + 1500)
        wait_until(lambda: self.proc.poll() is not None or _state(self.journal).get("last_bar_time") == bar_time(self.bar - 1),
                   what=f"bar {self.bar}")
        return self.proc.poll() is None

    def crash_at(self, point):
        """Starts the session to kill itself at `point`; moves the clock until it has."""
        self.start(CRACKTRADER_CRASH_AT=point)
        while self.next_bar():
            pass
        self.killed()

    def killed(self):
        self.proc.wait(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL, self.output()

    def stop(self):
        send_command(self.journal, "stop")
        assert self.proc.wait(timeout=30) == 0, self.output()

    def output(self):
        self.log.flush()
        return (self.tmp / "session.log").read_text(errors="replace")[-3000:]


def _state(journal):
    try:
        return read_state(journal)
    except Exception:  # noqa: BLE001 - not written yet
        return {}


def consistent(sim, journal):
    """Each id sent at most once; the journal has every order the exchange has, with its fills;
    every order the journal sent is at the exchange (or proven never placed); same position."""
    placed = sim.placed_client_ids()
    assert placed and max(placed.values()) == 1, placed
    j = Journal.open(journal)
    assert [host.split(":")[0] for host in j.meta("endpoints")] == ["127.0.0.1"]  # ccxt never pointed elsewhere
    records = j.orders()
    state = json.loads(j.db.execute("SELECT data FROM state").fetchone()[0])
    j.close()
    at_exchange = {o.cid: o for o in sim.exchange.orders if o.account == KEY}
    for cid, o in at_exchange.items():
        rec = records[cid]
        assert rec["filled"] == pytest.approx(float(o.executed), abs=1e-12), (cid, rec, o.status)
        assert {"FILLED": "filled", "CANCELED": "canceled", "NEW": "accepted", "EXPIRED": "expired",
                "PARTIALLY_FILLED": "partial"}[o.status] == rec["status"], (cid, rec)
    for cid, rec in records.items():
        if rec.get("exchange", {}).get("status"):
            assert cid in at_exchange or rec["exchange"]["status"] == "not_placed", (cid, rec)
    assert state["position"]["size"] == pytest.approx(float(sim.balance(KEY, "BTC")), abs=1e-12)
    return records, at_exchange


def test_killed_after_the_journal_record_before_the_request(sim, tmp_path):
    run = Run(sim, tmp_path, "Every", dict(size=0.001, every=2))
    run.crash_at("order_journaled")
    assert not sim.order_requests()  # it died before sending anything
    run.start()  # the order is looked up, proven never placed, and ends "not_placed"
    for _ in range(4):
        run.next_bar()
    run.stop()
    records, at_exchange = consistent(sim, run.journal)
    lost = [r for r in records.values() if r.get("exchange", {}).get("status") == "not_placed"]
    assert len(lost) == 1 and lost[0]["status"] == "rejected" and lost[0]["rule"] == "not_placed"
    assert any(o.status == "FILLED" for o in at_exchange.values())  # and then it traded on


def test_killed_after_the_exchange_accepted_before_the_answer(sim, tmp_path):
    run = Run(sim, tmp_path, "Every", dict(size=0.001, every=2))
    held = sim.faults.add(Fault(path="/api/v3/order", method="POST", stage="after", status=None, hold=threading.Event()))
    run.start()
    while not held.hits:
        assert run.next_bar()
    wait_until(lambda: sim.exchange.orders, what="the order at the exchange")
    run.proc.kill()
    run.killed()
    held.hold.set()
    assert sim.exchange.orders[0].status == "FILLED"
    run.start()  # found by its id, its fill booked: the position is the exchange's
    for _ in range(4):
        run.next_bar()
    run.stop()
    records, at_exchange = consistent(sim, run.journal)
    first = sim.exchange.orders[0].cid
    assert records[first]["status"] == "filled" and len(at_exchange) >= 2


def test_killed_after_a_fill_before_it_was_journaled(sim, tmp_path):
    run = Run(sim, tmp_path, "Every", dict(size=0.001, every=2))
    run.crash_at("fill_seen")
    assert sim.exchange.orders[0].status == "FILLED"
    run.start()
    for _ in range(4):
        run.next_bar()
    run.stop()
    records, _ = consistent(sim, run.journal)
    assert records[sim.exchange.orders[0].cid]["status"] == "filled"


def test_killed_during_a_cancel(sim, tmp_path):
    run = Run(sim, tmp_path, "Resting", dict(size=0.001, cancel_after=2, market=False))
    held = sim.faults.add(Fault(path="/api/v3/order", method="DELETE", stage="after", status=None, hold=threading.Event()))
    run.start()
    while not held.hits:
        assert run.next_bar()
    wait_until(lambda: sim.exchange.orders[0].status == "CANCELED", what="the cancel at the exchange")
    run.proc.kill()
    run.killed()
    held.hold.set()
    run.start()
    for _ in range(3):
        run.next_bar()
    run.stop()
    records, at_exchange = consistent(sim, run.journal)
    assert [o.status for o in at_exchange.values()] == ["CANCELED"] and not sim.open_orders(KEY)


def test_killed_in_the_middle_of_the_kill_switch(sim, tmp_path):
    run = Run(sim, tmp_path, "Resting", dict(size=0.001))
    run.start(CRACKTRADER_CRASH_AT="kill_canceled")
    for _ in range(3):
        assert run.next_bar()
    assert float(sim.balance(KEY, "BTC")) == 0.001 and len(sim.open_orders(KEY)) == 1
    send_command(run.journal, "kill")
    run.killed()
    assert not sim.open_orders(KEY) and float(sim.balance(KEY, "BTC")) == 0.001  # canceled, not yet flat
    run.start()  # the kill switch carries on: the position is closed, the session stays halted
    wait_until(lambda: _state(run.journal).get("position", {}).get("size") == 0, what="the position closed")
    for _ in range(2):
        run.next_bar()
    state = _state(run.journal)
    assert state["risk"]["state"] == "halted" and not state["killing"]
    run.stop()
    consistent(sim, run.journal)
    assert float(sim.balance(KEY, "BTC")) == 0 and not sim.open_orders(KEY)
