"""Live-ready: an engine fed bars one at a time places and fills the very same orders as the
batch run over those bars, and the same inputs always give the same bytes."""

import pytest

import cracktrader as ct
from cracktrader import synthetic
from support.strategies import Busy, Oscillators, SmaCross, TwoFeeds

OPTIONS = dict(cash=10_000, commission=0.001, slippage=3)


def orders(result):
    return [o.to_dict() for o in result.orders]


def bars(candles, start=0):
    c = candles
    return [(c.time[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]) for i in range(start, len(c))]


@pytest.mark.parametrize("strategy", [SmaCross, Busy, Oscillators])
@pytest.mark.parametrize("history", [0, 40, 1000])
def test_bar_by_bar_equals_batch(strategy, history):
    data = synthetic.ohlcv(1500, seed=7, step=0.004)
    batch = ct.backtest(strategy, data, **OPTIONS)
    assert len(batch.trades) > 5
    live = ct.Engine(strategy, data.slice(0, history), **OPTIONS)
    live.run()
    for bar in bars(data, history):
        live.push(bar)
    got = live.result()
    assert orders(got) == orders(batch)
    assert got.to_json() == batch.to_json()
    if strategy is Busy:
        kinds = {o.type for o in batch.orders} | {o.status for o in batch.orders}
        assert kinds >= {"market", "limit", "stop", "stop_limit", "trailing_stop", "filled", "canceled", "rejected",
                         "expired"}


def test_two_feeds_bar_by_bar_equal_batch():
    one = synthetic.ohlcv(600, seed=3, step=0.004, bar_ms=60_000, t0=1_700_000_100_000)
    five = synthetic.ohlcv(120, seed=4, step=0.004, bar_ms=300_000, t0=1_700_000_100_000, symbol="ETH/USDT")
    batch = ct.backtest(TwoFeeds, [one, five], **OPTIONS)
    assert len(batch.trades) > 5 and {t.feed.index for t in batch.trades} == {0, 1}
    live = ct.Engine(TwoFeeds, [one.slice(0, 0), five.slice(0, 0)], **OPTIONS)
    one_bars, five_bars = bars(one), iter(bars(five))
    pending = next(five_bars)
    for bar in one_bars:
        step = {0: bar}
        if pending and pending[0] + 300_000 == bar[0] + 60_000:  # the 5m bar closes with this minute
            step[1] = pending
            pending = next(five_bars, None)
        live.push(step)
    got = live.result()
    assert orders(got) == orders(batch) and got.to_json() == batch.to_json()


def test_same_inputs_give_byte_identical_json():
    data = synthetic.ohlcv(3000, seed=11, step=0.004)
    first = ct.backtest(Busy, data, **OPTIONS).to_json()
    assert ct.backtest(Busy, synthetic.ohlcv(3000, seed=11, step=0.004), **OPTIONS).to_json() == first


def test_pushed_bars_are_checked():
    data = synthetic.ohlcv(50)
    live = ct.Engine(SmaCross, data)
    last = data.time[-1]
    with pytest.raises(ct.DataError, match="duplicate_time"):
        live.push((last, 1, 1, 1, 1, 1))
    with pytest.raises(ct.DataError, match=r"\[nan\]"):
        live.push((last + 60_000, 1, float("nan"), 1, 1, 1))
    with pytest.raises(ValueError, match="one feed"):
        live.push({1: (last + 60_000, 1, 1, 1, 1, 1)})
