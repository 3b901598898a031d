"""A live run's bounded history (Engine keep=N): the engine keeps at least the last N bars of
every per-bar array and drops the older ones in chunks; the strategy sees the same values,
places and fills the same orders, and memory stays flat however long it runs."""

import tracemalloc

import pytest

import cracktrader as ct
from cracktrader import synthetic
from support.strategies import Busy, Oscillators, SmaCross

OPTIONS = dict(cash=10_000, commission=0.001, slippage=3)
BACK = 49  # how far back Reader reads: within a window of 50


class Reader(ct.Strategy):
    """Records what it reads each bar: lengths, the close and an indicator now and BACK bars ago."""

    def init(self):
        self.sma = ct.ind.SMA(self.data.close, 20)
        self.macd = ct.ind.MACD(self.data)
        self.seen = []

    def next(self):
        k = min(BACK, len(self.data) - 1)
        values = (self.data.close[-k], self.sma[0], self.sma[-k], self.macd.hist[-k], *self.data.close.get(-1, k))
        self.seen.append((len(self.data), len(self.sma), self.data.time[0], *[v if v == v else None for v in values]))
        n = len(self.data)
        if n % 19 == 0:  # IOCs: expiry counts steps (one fills mostly, one expires mostly)
            self.buy(size=1, tif="IOC", limit=self.data.close[0] * (1.002 if n % 2 else 0.99))
        if n % 23 == 0 and self.position:
            self.close()
        if len(self.data) % 53 == 0:
            print(f"bar {len(self.data)}")


def bars(candles, start=0):
    c = candles
    return [(c.time[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]) for i in range(start, len(c))]


def pushed(strategy, data, history, keep, check=None):
    engine = ct.Engine(strategy, data.slice(0, history), keep=keep, **OPTIONS)
    engine.run()
    for bar in bars(data, history):
        engine.push(bar)
        if check:
            check(engine)
    return engine


def trade(t):
    return (t.id, t.side, t.size, t.entry_time, t.entry_step, t.entry_price, t.exit_time, t.exit_step, t.exit_price,
            t.pnl, t.commission)


@pytest.mark.parametrize("strategy", [Reader, Busy, Oscillators, SmaCross])
@pytest.mark.parametrize("keep", [50, 64])
@pytest.mark.parametrize("history", [0, 300])
def test_a_window_changes_nothing_the_strategy_sees(strategy, keep, history):
    data = synthetic.ohlcv(1500, seed=7, step=0.004)
    full = pushed(strategy, data, history, None)

    def bounded(engine):
        held = len(engine.times)
        assert held == len(engine.equity) == len(engine.feeds[0].close.values) == engine.feeds[0].i + 1
        assert len(engine.strategy.data) == engine.dropped + held
        assert held < keep + keep // 4 and (held >= keep or engine.dropped == 0)

    win = pushed(strategy, data, history, keep, check=bounded)
    assert win.dropped > 1000 and len(win.times) == len(win.feeds[0].time.values)
    for name in ("seen", "events"):  # what the strategy read and was notified of, bar by bar
        if hasattr(full.strategy, name):
            assert getattr(win.strategy, name) == getattr(full.strategy, name) and getattr(full.strategy, name)
    assert len(win.strategy.data) == len(full.strategy.data) == 1500
    # the kept orders are the recent ones, as they are in the full run; every order still open is kept
    kept = {o.id for o in win.broker.orders}
    assert [o.to_dict() for o in win.broker.orders] == [o.to_dict() for o in full.broker.orders if o.id in kept]
    assert [(o.id, o.created_step, o.step) for o in win.broker.orders] == \
        [(o.id, o.created_step, o.step) for o in full.broker.orders if o.id in kept]
    assert all(o.id in kept for o in full.broker.orders if o.alive or o.created_step >= win.dropped)
    assert len(kept) < len(full.broker.orders)
    # closed trades: the recent ones, and the count of them all
    trades = full.broker.account.trades
    assert [trade(t) for t in win.broker.account.trades] == [trade(t) for t in trades[len(trades) - len(win.broker.account.trades):]]
    assert win.broker.account.closed == len(trades) > 5
    assert [trade(t) for t in win.broker.account.open_trades if t] == [trade(t) for t in full.broker.account.open_trades if t]
    assert [t.to_dict() for t in win.broker.account.trades] == [t.to_dict() for t in trades[len(trades) - len(win.broker.account.trades):]]
    # the kept bars' equity and times, the account
    assert list(win.equity) == list(full.equity[-len(win.equity):])
    assert list(win.times) == list(full.times[-len(win.times):])
    assert (win.broker.cash, win.broker.value, win.broker.fees, win.broker.position().size) == \
        (full.broker.cash, full.broker.value, full.broker.fees, full.broker.position().size)
    assert win.result().final_value == full.result().final_value
    assert win.log.entries() == full.log.entries()


class Holder(ct.Strategy):
    """Long for 170 bars, flat for 30, short for 170, flat for 30: each trade outlives a window of 50."""

    def next(self):
        k = len(self.data) % 400
        if k in (1, 201):
            self.buy(size=1) if k == 1 else self.sell(size=1)
        elif k in (171, 371):
            self.close()


@pytest.mark.parametrize("keep", [50, 64])
def test_a_trade_longer_than_the_window_is_measured_over_all_its_bars(keep):
    # its bars held and its excursions (MAE/MFE) include the bars the window dropped, as in the
    # full run; before, they were measured from the first bar kept
    data = synthetic.ohlcv(1500, seed=11, step=0.004)
    for n in (1390, 1500):  # the last trade closed 19 bars ago; a short open for 99 bars
        full, win = pushed(Holder, data.slice(0, n), 0, None), pushed(Holder, data.slice(0, n), 0, keep)
        closed = {t.id: t.to_dict() for t in full.broker.account.trades}
        kept = win.broker.account.trades
        assert [t.to_dict() for t in kept] == [closed[t.id] for t in kept]
        held = [t.open_dict(win.times[-1]) for t in win.broker.account.open_trades if t]
        assert held == [t.open_dict(full.times[-1]) for t in full.broker.account.open_trades if t]
        if n == 1390:
            assert len(kept) == 1 and closed[kept[0].id]["bars"] == 170 and kept[0].dropped and not held
        else:
            assert not kept and held[0]["bars"] == 99 and held[0]["side"] == "short"


def test_reading_at_the_edge_of_the_window_and_beyond():
    data = synthetic.ohlcv(600, seed=5, step=0.004)
    full, win = pushed(Reader, data, 0, None), pushed(Reader, data, 0, 50)
    held = len(win.times)
    assert 50 <= held < 62 and win.dropped == 600 - held
    fs, ws = full.strategy, win.strategy
    for line, want in ((ws.sma, fs.sma), (ws.macd.signal, fs.macd.signal), (ws.data.close, fs.data.close)):
        assert len(line) == len(want) == 600
        assert line[-(held - 1)] == want[-(held - 1)] and line[0] == want[0]  # the oldest bar kept
        assert line.get(0, held) == want.get(0, held)
        for read in (lambda: line[-held], lambda: line.get(-(held - 1), 2)):  # one bar beyond
            with pytest.raises(IndexError, match=r"only the last 50 bars are kept in a live session: raise keep_bars"):
                read()
        with pytest.raises(IndexError, match=r"only 600 bar\(s\) so far"):  # before the first bar: as ever
            line[-600]

    class Far(ct.Strategy):
        def next(self):
            if len(self.data) > 80:
                self.data.close[-80]

    engine = ct.Engine(Far, data.slice(0, 100), keep=50)
    engine.run()
    with pytest.raises(ct.StrategyError, match="only the last 50 bars are kept") as e:
        for bar in bars(data, 100):
            engine.push(bar)
    # the first push (bar 101) trims to 50 bars after its step: bar 102 reads beyond them
    assert e.value.bar == 102 and e.value.time == data.time[101]


def test_keep_is_checked():
    data = synthetic.ohlcv(100, seed=1)
    for bad in (0, -5, 2.5, True, "10"):
        with pytest.raises(ValueError, match="keep must be a number of bars"):
            ct.Engine(SmaCross, data, keep=bad)
    other = synthetic.ohlcv(100, seed=2, symbol="ETH/USDT")
    with pytest.raises(ValueError, match="keep: a bounded history is for one feed"):
        ct.Engine(SmaCross, [data, other], keep=50)


def test_a_backtest_keeps_everything():
    data = synthetic.ohlcv(3000, seed=3, step=0.004)
    engine = ct.Engine(Busy, data, **OPTIONS).run()
    assert engine.keep is None and engine.dropped == 0 and len(engine.times) == 3000
    assert len(engine.broker.orders) > 100


def _traced(strategy, data, keep, marks):
    engine = ct.Engine(strategy, data.slice(0, 0), keep=keep, **OPTIONS)
    sizes = []
    tracemalloc.start()
    try:
        for k, bar in enumerate(bars(data), 1):
            engine.push(bar)
            if k in marks:
                sizes.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    return engine, sizes


def test_memory_stays_flat_with_a_window():
    """Traced memory after 6k and after 18k pushed bars (orders and trades all along): flat with
    keep=1000, growing by the bars' values, orders and trades without."""
    data = synthetic.ohlcv(18_000, seed=9, step=0.004)
    engine, (early, late) = _traced(SmaCross, data, 1000, (6_000, 18_000))
    assert engine.broker.account.closed > 200  # orders and trades were made all along
    assert late - early < 20_000, (early, late)  # (measured: a few kB either way)
    engine, (early, late) = _traced(SmaCross, data, None, (6_000, 18_000))
    assert late - early > 12_000 * 80, (early, late)  # 10 columns of 8 bytes a bar, and more
