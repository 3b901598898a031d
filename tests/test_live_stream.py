"""Sessions take their bars from the exchange's WebSocket streams (real ccxt.pro against the
simulator's Binance trade and kline streams): bars built from trades by the kernel equal the
exchange's klines; what a dropped stream missed comes over REST, no bar missing or doubled."""

import pytest

from support.live import START, bar_time, config, session, sim_fixture, wait_until

MINUTE = 60_000


sim = sim_fixture()


def drive(sim, s, bars, first=1):
    """Moves the exchange's clock bar by bar and polls until the session used each bar."""
    for k in range(first, first + bars):
        sim.clock.set(bar_time(k) + 1500)

        def used(k=k):
            s.poll()
            return len(s.engine.feeds[0].time.values) and s.engine.feeds[0].time.values[-1] >= bar_time(k - 1)

        wait_until(used, 30, f"bar {k - 1}")


def connected(sim, s):
    """Waits for the stream's first trade, moving the clock through bar 0 (a trade every 15 s)."""
    def step():
        if sim.clock.now() < bar_time(1) - 2000:
            sim.clock.advance(500)
        return s.stream.connected

    wait_until(step, 60, "the stream's first trades")


def live_bars(s):
    from cracktrader.live.journal import Journal

    return Journal.bars(s.journal, warmup=False)


def rest_klines(sim, since, until):
    import ccxt

    client = ccxt.binance(sim.ccxt_options())
    rows = client.fetch_ohlcv("BTC/USDT", "1m", since=since, limit=1000)
    return [tuple([int(r[0]), *map(float, r[1:6])]) for r in rows if since <= r[0] < until]


@pytest.mark.parametrize("source", ["trades", "klines"])
def test_stream_bars_equal_the_exchange_klines(sim, tmp_path, source):
    s = session(config(sim, tmp_path, market_data=source), tmp_path / "s.journal")
    try:
        assert s.stream is not None and s.stream.kind == source
        connected(sim, s)
        klines_before = len(sim.klines_requests())
        drive(sim, s, 12)
        got = [tuple(b) for b in live_bars(s)]
        assert [b[0] for b in got] == [bar_time(k) for k in range(12)]  # every bar once, in order
        assert got == rest_klines(sim, bar_time(0), bar_time(12))
        # After the first bars (not seen whole: the stream started inside them) the stream gave them all.
        assert len(sim.klines_requests()) - klines_before <= 3
        assert s.stream.covered_from <= bar_time(2)
    finally:
        s.close()


def test_the_forming_bar_follows_the_trades(sim, tmp_path):
    s = session(config(sim, tmp_path, market_data="trades"), tmp_path / "s.journal")
    try:
        connected(sim, s)
        drive(sim, s, 2)
        sim.clock.set(bar_time(2) + 31_000)  # three trades into bar 2 (at 0, 15 and 30 s)
        wait_until(lambda: (s.poll() or True) and (s.stream.forming() or {}).get("trades", 0) >= 3, 30, "the forming bar")
        forming = s.stream.forming()
        whole = rest_klines(sim, bar_time(2), bar_time(3))[0]
        assert forming["time"] == bar_time(2) and forming["open"] == whole[1] and forming["trades"] in (3, 4)
        s.save_state()
        s.journal.commit()
        from cracktrader.live import read_state

        assert read_state(s.journal_path)["forming"]["time"] == bar_time(2)
        assert read_state(s.journal_path)["market"]["source"] == "trades"
    finally:
        s.close()


@pytest.mark.parametrize("source", ["trades", "klines"])
def test_a_dropped_stream_is_filled_in_over_rest(sim, tmp_path, source):
    s = session(config(sim, tmp_path, market_data=source), tmp_path / "s.journal")
    try:
        connected(sim, s)
        drive(sim, s, 4)
        sim.streams.down = True
        sim.streams.drop()
        wait_until(lambda: not s.stream.connected, 30, "the stream to notice")
        drive(sim, s, 3, first=5)  # bars 4, 5, 6 over REST while the stream is down
        sim.streams.down = False
        wait_until(lambda: s.stream.connected, 60, "the stream to reconnect")
        drive(sim, s, 5, first=8)
        got = [tuple(b) for b in live_bars(s)]
        assert [b[0] for b in got] == [bar_time(k) for k in range(12)]
        assert got == rest_klines(sim, bar_time(0), bar_time(12))
        assert s.stream.reconnects >= 1
        from cracktrader.live import read_events

        logs = [e["data"]["text"] for e in read_events(s.journal_path, kinds=["log"])]
        assert any("connected again" in text for text in logs)
    finally:
        s.close()


def test_rest_only(sim, tmp_path):
    s = session(config(sim, tmp_path, market_data="rest"), tmp_path / "s.journal")
    try:
        assert s.stream is None
        drive(sim, s, 3)
        assert [tuple(b) for b in live_bars(s)] == rest_klines(sim, bar_time(0), bar_time(3))
    finally:
        s.close()


def test_kernel_bars_from_the_simulators_trades(sim):
    """The simulator's trade stream and its klines agree through the kernel (offline check of the pair)."""
    from array import array

    from cracktrader.kernels import candles_from_trades

    market = sim.data.by_symbol("BTC/USDT")
    sim.clock.set(bar_time(30))
    trades = sim.streams.trades(market, START - 1, bar_time(30) - 1)
    cols = candles_from_trades(array("q", [t[0] for t in trades]), array("d", [t[2] / 100 for t in trades]),
                               array("d", [t[3] / 256 for t in trades]), MINUTE)
    rows = [tuple([r[0], *r[1:6]]) for r in zip(*(memoryview(c).tolist() for c in cols))]
    assert rows == rest_klines(sim, START, bar_time(30))


def test_the_streams_messages_are_journaled_by_the_loop(sim, tmp_path):
    """The stream runs in a thread of its own; what it says is journaled by the session's loop,
    never from that thread (one connection, one transaction: a write from the stream's thread
    while an order's record was open broke the order path with 'cannot start a transaction
    within a transaction', seen in bench/live.py)."""
    import threading

    from cracktrader.live import read_events

    s = session(config(sim, tmp_path, market_data="trades"), tmp_path / "s.journal")
    try:
        said = threading.Thread(target=s.stream.log, args=("market stream (trades): a test message",))
        said.start()
        said.join()

        def logged():
            return [e["data"]["text"] for e in read_events(tmp_path / "s.journal", kinds=["log"])
                    if "a test message" in e["data"]["text"]]

        assert not s.journal.db.in_transaction  # the thread wrote nothing: it only queued it
        s.poll()
        assert logged() == ["market stream (trades): a test message"]
    finally:
        s.close()
