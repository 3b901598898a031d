"""A paper session keeps a bounded history (SessionConfig.keep_bars): with a small window it
places, fills and reports exactly what a session keeping every bar does, a restart replays to
the same state, and what it holds per order stays bounded."""

import tracemalloc

import pytest

from cracktrader.live import LiveError, read_state
from cracktrader.live import journal as journal_module
from support.live import bar_time, config, drive, session, trading_sim

KEEP = 40
BARS = 150
PARAMS = dict(start=bar_time(0), limit_bp=10.0, patience=3)
PAPER = dict(commission=0.001, volume_limit=0.01)


@pytest.fixture
def sim():
    s = trading_sim(fee_asset="quote", volume_share=0.01)
    yield s
    s.stop()


def trade(t):
    return (t.id, t.side, t.size, t.entry_time, t.entry_step, t.entry_price, t.exit_time, t.exit_step, t.exit_price,
            t.pnl, t.commission)


def assert_same(win, full):
    """The windowed session `win` did and holds what `full` (every bar kept) did, in its window."""
    we, fe = win.engine, full.engine
    assert we.dropped > 0 and len(we.times) < KEEP + KEEP // 4 and fe.dropped == 0
    assert we.strategy.seen == fe.strategy.seen  # (bar, side, status, filled, price, commission) per notification
    kept = {o.id for o in we.broker.orders}
    assert [o.to_dict() for o in we.broker.orders] == [o.to_dict() for o in fe.broker.orders if o.id in kept]
    assert all(o.id in kept for o in fe.broker.orders if o.alive or o.created_step >= we.dropped)
    trades = fe.broker.account.trades
    assert [trade(t) for t in we.broker.account.trades] == [trade(t) for t in trades[len(trades) - len(we.broker.account.trades):]]
    assert list(we.equity) == list(fe.equity[-len(we.equity):])
    assert win.account() == full.account()
    ws, fs = read_state(win.journal_path), read_state(full.journal_path)
    for key in ("position", "open_orders", "balance", "equity", "pnl", "fees", "trades", "last_bar_time"):
        assert ws[key] == fs[key], key
    assert ws["trades"] == len(trades) >= 3
    # the order path holds the orders the engine holds, not every order the session placed
    assert set(win.orders.orders) <= {win.orders.cid(o) for o in we.broker.orders}
    assert len(win.orders.records) == len(win.orders.orders) < len(full.orders.records)


def test_a_small_window_changes_nothing(sim, tmp_path):
    full = session(config(sim, tmp_path, "paper", params=PARAMS, **PAPER), tmp_path / "full.journal")
    win = session(config(sim, tmp_path, "paper", params=PARAMS, keep_bars=KEEP, **PAPER), tmp_path / "win.journal")
    assert full.engine.keep == 20_000 and win.engine.keep == KEEP
    drive(sim, [full, win], BARS)
    assert len([s for s in full.engine.strategy.seen if s[2] == "filled"]) >= 6
    full.close()
    win.close()
    assert_same(win, full)


def test_a_restart_with_a_small_window_replays_to_the_same_state(sim, tmp_path):
    full = session(config(sim, tmp_path, "paper", params=PARAMS, **PAPER), tmp_path / "full.journal")
    cfg = config(sim, tmp_path, "paper", params=PARAMS, keep_bars=KEEP, **PAPER)
    win = session(cfg, tmp_path / "win.journal")
    drive(sim, [full, win], 70)
    win.close()
    win = session(cfg, tmp_path / "win.journal")  # replays 70 bars through a window of 40
    assert win.engine.dropped > 0 and len(win.engine.times) < KEEP + KEEP // 4
    drive(sim, [full, win], BARS - 70, first=71)
    full.close()
    win.close()
    assert_same(win, full)


def test_keep_bars_is_checked(sim, tmp_path):
    for bad in (0, -1, 1.5, True, None):
        with pytest.raises(LiveError, match="keep_bars must be a number of bars >= 1"):
            config(sim, tmp_path, "paper", keep_bars=bad)


def _restart_peak(cfg, journal):
    """Python's peak allocation while `journal`'s session restarts, above what it holds once started."""
    tracemalloc.start()
    try:
        s = session(cfg, journal)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    s.close()
    return peak - held


def test_a_restart_holds_the_records_of_the_window_not_of_every_order(sim, tmp_path, monkeypatch):
    # a year's session has tens of thousands of orders: their records, fills and first events
    # were all read before the replay, the restart's peak growing with them
    monkeypatch.setattr(journal_module, "EVENTS_PAGE", 100)  # (the replay's own reads: a page at a time)
    cfg = config(sim, tmp_path, "paper", strategy="Every", params={"every": 2, "hold": 1}, keep_bars=KEEP, **PAPER)
    short, long = session(cfg, tmp_path / "short.journal"), session(cfg, tmp_path / "long.journal")
    drive(sim, [short], 20)
    drive(sim, [long], 600)
    short.close()
    long.close()
    journal = journal_module.Journal.open(tmp_path / "long.journal")
    orders = len(journal.orders())
    journal.close()
    assert orders >= 500
    grown = _restart_peak(cfg, tmp_path / "long.journal") - _restart_peak(cfg, tmp_path / "short.journal")
    assert grown < 2_000 * orders, (grown, orders)  # measured, 599 orders: 6.5 MB before, 0.2 MB after
