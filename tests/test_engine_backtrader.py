"""backtrader as an oracle: the SMA crossover configured alike in both (market orders at the
next open, percent commission, 95% of equity per entry) gives the same fills, trades and final
value — on generated data always, and on the shared real market data when present."""

from datetime import timezone

import pytest

import cracktrader as ct
from cracktrader import synthetic
from support.strategies import SmaCross
from support.shared_data import shared_param

bt = pytest.importorskip("backtrader")  # pinned in requirements-dev.txt: always installed
import pandas as pd  # noqa: E402

REAL = ["freqtrade_ETH_BTC-5m.csv", "freqtrade_XRP_USDT_USDT-5m-futures.csv", "freqtrade_UNITTEST_BTC-1m.csv",
        "backtrader_2006-day-001.txt"]
CASH, COMMISSION = 10_000.0, 0.001


class BtSmaCross(bt.Strategy):
    params = dict(fast=10, slow=30)

    def __init__(self):
        self.fast = bt.ind.SMA(self.data.close, period=self.p.fast)
        self.slow = bt.ind.SMA(self.data.close, period=self.p.slow)
        self.fills = []

    def next(self):
        if not self.position and self.fast[0] > self.slow[0]:
            self.buy()
        elif self.position and self.fast[0] < self.slow[0]:
            self.close()

    def notify_order(self, order):
        if order.status == order.Completed:
            when = bt.num2date(order.executed.dt).replace(tzinfo=timezone.utc)
            self.fills.append((round(when.timestamp() * 1000), order.executed.size, order.executed.price,
                               order.executed.comm))


def run_backtrader(candles, runonce=True):
    frame = pd.DataFrame(
        {name: list(getattr(candles, name)) for name in ("open", "high", "low", "close", "volume")},
        index=pd.to_datetime(list(candles.time), unit="ms"),
    )
    cerebro = bt.Cerebro(runonce=runonce, stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=frame, openinterest=None))
    cerebro.addstrategy(BtSmaCross)
    cerebro.broker.setcash(CASH)
    cerebro.broker.setcommission(commission=COMMISSION)
    cerebro.addsizer(bt.sizers.PercentSizer, percents=95)
    strategy = cerebro.run()[0]
    return strategy.fills, cerebro.broker.getvalue()


def our_fills(result):
    return [(o.time, o.filled if o.side == "buy" else -o.filled, o.price, o.commission)
            for o in result.orders if o.status == "filled"]


def same_fills(ours, theirs, candles):
    """Same bars and sizes; our prices are exactly the bars' opens. backtrader reports its fill
    price as a running average ((0 * 0 + p * q) / q), which can be one ulp off the open."""
    opens = dict(zip(candles.time, candles.open))
    assert [t for t, *_ in ours] == [t for t, *_ in theirs]
    for (t, size, price, fee), (_, bt_size, bt_price, bt_fee) in zip(ours, theirs):
        assert price == opens[t] and price == pytest.approx(bt_price, rel=1e-15, abs=0)
        assert size == pytest.approx(bt_size, rel=1e-12) and fee == pytest.approx(bt_fee, rel=1e-12)


def compare(candles, runonce=True):
    result = ct.backtest(SmaCross, candles, cash=CASH, commission=COMMISSION, sizing="95%")
    fills, value = run_backtrader(candles, runonce)
    assert len(fills) >= 8
    same_fills(our_fills(result), fills, candles)
    assert result.final_value == pytest.approx(value, rel=1e-9)
    return result, fills


def test_same_trades_as_backtrader_on_generated_data():
    result, fills = compare(synthetic.ohlcv(4000, seed=21, step=0.004))
    trades = result.trades
    assert len(trades) > 40
    assert [t.entry_time for t in trades] == [f[0] for f in fills[0::2]][: len(trades)]
    assert [t.exit_time for t in trades] == [f[0] for f in fills[1::2]][: len(trades)]
    assert [t.exit_price for t in trades] == pytest.approx([f[2] for f in fills[1::2]][: len(trades)], rel=1e-15)


def test_same_trades_as_backtrader_in_event_mode():
    compare(synthetic.ohlcv(1500, seed=5, step=0.004), runonce=False)


@pytest.mark.parametrize("path", [shared_param(name) for name in REAL])
def test_same_trades_as_backtrader_on_real_data(path):
    compare(ct.load_data(path))
