"""A restarted session rebuilds its state by replaying its journal and carries on as if it had
never stopped; the journal keeps the code and settings it ran with."""

import pytest

from cracktrader.live import LiveError, read_events, read_state, send_command
from support.live import KEY, SECRET, bar_time, config, drive, session, trading_sim

OTHER_KEY, OTHER_SECRET = "simkey-second", "simsecret-second"


@pytest.fixture
def sim():
    s = trading_sim(fee_asset="quote", volume_share=0.01)
    s.add_account(OTHER_KEY, OTHER_SECRET, USDT="10000", BTC="0")
    yield s
    s.stop()


@pytest.mark.parametrize("mode", ["paper", "exchange"])
def test_a_restart_changes_nothing(sim, tmp_path, mode):
    params = dict(start=bar_time(0), limit_bp=10.0, patience=3)
    extra = dict(commission=0.001, volume_limit=0.01) if mode == "paper" else {}
    steady = session(config(sim, tmp_path, mode, params=params, **extra), tmp_path / "steady.journal")
    cfg = config(sim, tmp_path, mode, params=params, **extra)
    other = {"keys": {"apiKey": OTHER_KEY, "secret": OTHER_SECRET}}
    restarted = session(cfg, tmp_path / "restarted.journal", **other)
    drive(sim, [steady, restarted], 30)
    open_before = len(restarted.engine.broker.open_orders)
    restarted.close()
    for first in (31, 46):
        restarted = session(cfg, tmp_path / "restarted.journal", **other)
        drive(sim, [steady, restarted], 15, first=first)
        if first == 31:
            restarted.close()
    want, got = steady.engine.strategy.seen, restarted.engine.strategy.seen
    assert len([s for s in want if s[2] == "filled"]) >= 4
    assert got == want
    assert restarted.engine.broker.position().size == steady.engine.broker.position().size
    assert restarted.engine.broker.cash == pytest.approx(steady.engine.broker.cash, rel=1e-12)
    def orders(s):  # (an exchange's fill time is the instant of its trade: the two accounts' differ by ms)
        return [{k: v for k, v in o.to_dict().items() if k != "time" or mode == "paper"} for o in s.engine.broker.orders]

    assert orders(restarted) == orders(steady)
    if mode == "exchange":
        placed = sim.placed_client_ids()
        assert placed and max(placed.values()) == 1  # no id was ever sent twice
    kinds = [e["data"]["what"] for e in read_events(tmp_path / "restarted.journal", kinds=["session"])]
    assert kinds.count("started") == 1 and kinds.count("resumed") == 2 and kinds.count("stopped") == 2
    assert kinds.count("reconciled") == (3 if mode == "exchange" else 0)  # before anything new is sent
    assert open_before or any(o.alive for o in restarted.engine.broker.orders) or len(want) > 10
    steady.close()
    restarted.close()


def test_a_changed_strategy_or_settings_is_refused(sim, tmp_path):
    cfg = config(sim, tmp_path, "paper")
    session(cfg, tmp_path / "s.journal").close()
    changed = config(sim, tmp_path, "paper")
    changed.strategy_source += "\n# edited\n"
    with pytest.raises(LiveError, match="the strategy changed"):
        session(changed, tmp_path / "s.journal")
    other = config(sim, tmp_path, "paper", params=dict(fast=4))
    with pytest.raises(LiveError, match=r"other settings \(params\)"):
        session(other, tmp_path / "s.journal")
    assert not read_state(tmp_path / "s.journal")["running"]


def test_one_session_per_journal(sim, tmp_path):
    cfg = config(sim, tmp_path, "paper")
    first = session(cfg, tmp_path / "s.journal")
    with pytest.raises(LiveError, match="already running"):
        session(cfg, tmp_path / "s.journal")
    assert read_state(tmp_path / "s.journal")["running"]
    first.close()
    assert not read_state(tmp_path / "s.journal")["running"]


def test_halted_survives_a_restart_until_resume(sim, tmp_path):
    cfg = config(sim, tmp_path, "paper", strategy="Every", params=dict(size=0.01, every=2))
    s = session(cfg, tmp_path / "s.journal")
    drive(sim, [s], 3)
    send_command(tmp_path / "s.journal", "kill")
    drive(sim, [s], 3, first=4)
    assert s.risk.state == "halted" and s.engine.broker.position().size == 0
    s.close()
    s = session(cfg, tmp_path / "s.journal")
    assert s.risk.state == "halted"
    drive(sim, [s], 4, first=7)
    assert s.engine.broker.position().size == 0
    rejected = [o for o in s.engine.broker.orders if o.rule == "halted"]
    assert rejected  # the strategy kept trying; the limits said no
    send_command(tmp_path / "s.journal", "resume")
    drive(sim, [s], 4, first=11)
    assert s.risk.state == "normal"
    assert any(o.status == "filled" and o.created >= bar_time(11) for o in s.engine.broker.orders)
    s.close()
