"""Every kernel indicator through ct.ind: the kernel's batch values, its warm-up deciding when
next() starts, and the same bits when extended live by its streaming form."""

import math

import pytest

import cracktrader as ct
import cracktrader.kernels as k
from cracktrader import synthetic

# Parameters for the indicators that have no defaults (TA-Lib's defaults otherwise).
PARAMS = {
    "SMA": (10,), "EMA": (10,), "WMA": (10,), "DEMA": (10,), "TEMA": (10,), "TRIMA": (10,), "KAMA": (10,),
    "SMMA": (10,), "TRIX": (5,), "STOCH": (5, 3, 3), "STOCHF": (5, 3), "STOCHRSI": (14, 5, 3), "CCI": (14,),
    "MOM": (10,), "ROC": (10,), "ROCP": (10,), "LINEARREG_SLOPE": (14,), "BBANDS": (20,), "STDDEV": (20,),
    "DONCHIAN": (20,), "KELTNER": (20, 2.0, 10), "VWAP": (20,), "MAX": (10,), "MIN": (10,), "SUM": (10,),
}
NAMES = [n for n in ct.ind.__all__ if n.isupper()]


def lines_of(value):
    return list(value) if isinstance(value, tuple) else [value]


class All(ct.Strategy):
    def init(self):
        self.made = {}
        for name in NAMES:
            make = getattr(ct.ind, name)
            if make.spec.inputs == ("a", "b"):
                self.made[name] = make(self.data.close, ct.ind.SMA(self.data.close, 5))
            else:
                self.made[name] = make(self.data, *PARAMS.get(name, ()))
        self.first = None

    def next(self):
        if self.first is None:
            self.first = len(self.data) - 1


def test_there_are_all_the_kernels():
    assert {n.lower() for n in NAMES} == set(k.indicators.FUNCTIONS)


def test_each_indicator_is_its_kernel_and_next_waits_for_all():
    data = synthetic.ohlcv(400, seed=5, step=0.004)
    engine = ct.Engine(All, data)
    engine.run()
    s = engine.strategy
    cols = {"x": data.close, "high": data.high, "low": data.low, "close": data.close, "volume": data.volume}
    first_full = 0
    for name, made in s.made.items():
        spec = getattr(ct.ind, name).spec
        if spec.inputs == ("a", "b"):
            want = getattr(k, spec.kernel)(data.close, k.sma(data.close, 5))
        else:
            want = getattr(k, spec.kernel)(*[cols[i] for i in spec.inputs], *PARAMS.get(name, ()))
        for line, column in zip(lines_of(made), lines_of(want)):
            assert line.values.tobytes() == column.tobytes(), name
        valid = min(i for i in range(len(data)) if all(not math.isnan(x.values[i]) for x in lines_of(made)))
        assert max(x.warmup for x in lines_of(made)) == valid, name  # the measured warm-up is the data's
        first_full = max(first_full, valid)
    assert s.first == first_full


def test_multi_output_indicators_are_named_tuples():
    class Bands(ct.Strategy):
        def init(self):
            self.bb = ct.ind.BBANDS(self.data.close, 20, k_up=2.5)
            self.macd, self.signal, _ = ct.ind.MACD(self.data)

    engine = ct.Engine(Bands, synthetic.ohlcv(100, step=0.004))
    s = engine.strategy
    assert s.bb._fields == ("upper", "middle", "lower") and s.bb.upper.name == "BBANDS(close, 20, 2.5, 2.0).upper"
    assert s.macd.name == "MACD(close, 12, 26, 9).macd" and s.macd.warmup == 26 + 9 - 2


def test_indicators_extend_live_with_the_same_bits():
    data = synthetic.ohlcv(300, seed=8, step=0.004)
    batch = ct.Engine(All, data)
    live = ct.Engine(All, data.slice(0, 60))
    for i in range(60, len(data)):
        live.push((data.time[i], data.open[i], data.high[i], data.low[i], data.close[i], data.volume[i]))
    for name in NAMES:
        for a, b in zip(lines_of(batch.strategy.made[name]), lines_of(live.strategy.made[name])):
            assert a.values.tobytes() == b.values.tobytes(), name


def test_history_shorter_than_the_warm_up_is_all_nan_then_fills_in_live():
    data = synthetic.ohlcv(50, seed=2, step=0.004)

    class Slow(ct.Strategy):
        def init(self):
            self.adx = ct.ind.ADX(self.data)  # warm-up 27 bars

    live = ct.Engine(Slow, data.slice(0, 10))
    assert all(math.isnan(v) for v in live.strategy.adx.values)
    for i in range(10, 50):
        live.push((data.time[i], data.open[i], data.high[i], data.low[i], data.close[i], data.volume[i]))
    assert live.strategy.adx.values.tobytes() == k.adx(data.high, data.low, data.close).tobytes()


def test_crossover_with_a_number_and_lines():
    class Cross(ct.Strategy):
        def init(self):
            self.x = ct.ind.CrossOver(self.data.close, 2.0)

    closes = (1.0, 3.0, 3.0, 2.0, 1.0, 2.5)
    rows = ct.Candles.from_columns([60_000 * (i + 1) for i in range(6)], closes, closes, closes, closes, [1.0] * 6)
    s = ct.Engine(Cross, rows).strategy
    assert math.isnan(s.x.values[0]) and list(s.x.values[1:]) == [1.0, 0.0, 0.0, -1.0, 1.0]
    with pytest.raises(TypeError, match="CROSSOVER: expected the input line"):
        ct.ind.CrossOver(1.0, 2.0)


def test_feed_inputs_map_by_name_and_bad_calls_name_the_indicator():
    class Uses(ct.Strategy):
        def init(self):
            self.atr = ct.ind.ATR(self.data, 5)
            self.obv = ct.ind.OBV(self.data)
            self.rsi = ct.ind.RSI(self.data.close)  # TA-Lib's default n=14

    data = synthetic.ohlcv(60, step=0.004)
    s = ct.Engine(Uses, data).strategy
    assert s.atr.values.tobytes() == k.atr(data.high, data.low, data.close, 5).tobytes()
    assert s.obv.values.tobytes() == k.obv(data.close, data.volume).tobytes()
    assert s.rsi.name == "RSI(close, 14)" and s.rsi.warmup == 14

    class Bad(ct.Strategy):
        def init(self):
            ct.ind.MACD(self.data, 26, 12)

    with pytest.raises(ct.StrategyError, match="macd: fast=26 must not be longer than slow=12"):
        ct.Engine(Bad, data)
