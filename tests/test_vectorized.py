"""The vectorized kernel against the event engine: random market data, signals and settings
give the same Result (JSON, every order, open trades, equity bits); sweeps give each column's
statistics; the plan says which engine runs a strategy; bad input gets the engine's errors."""

import importlib
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cracktrader as ct
from support import vectorized_cases as cases
from cracktrader import stats, synthetic
from cracktrader.kernels import MarketRules
from cracktrader.vectorized import ArraySignals, SignalStrategy, Signals

KNOBS = st.fixed_dictionaries(dict(
    n=st.integers(2, 250), seed=st.integers(0, 2**31), vol=st.sampled_from((0.002, 0.01, 0.04)),
    gap=st.sampled_from((0.0, 0.002, 0.02)), tick=st.sampled_from((0.0, 0.5)), flat=st.sampled_from((0.0, 0.2)),
    density=st.sampled_from((0.03, 0.15, 0.5)), direction=st.sampled_from(("long", "short", "both")),
    stop_loss=st.sampled_from((None, 0.01, 0.03)), take_profit=st.sampled_from((None, 0.02, 0.05)),
    trail_stop=st.sampled_from((None, 0.015)), size=st.integers(0, len(cases.SIZES) - 1),
    commission=st.integers(0, len(cases.COMMISSIONS) - 1), slippage=st.integers(0, len(cases.SLIPPAGES) - 1),
    fill=st.sampled_from(("open", "close")), intrabar=st.sampled_from(("adverse", "favorable", "nearest")),
    leverage=st.sampled_from((1.0, 3.0)), sizing=st.integers(0, len(cases.SIZINGS) - 1), rules=st.integers(0, 2),
))


@settings(max_examples=200, deadline=None)
@given(KNOBS)
def test_the_kernel_gives_the_event_engines_result(knobs):
    fast, slow = cases.run_both(knobs)
    assert fast == slow


@settings(max_examples=60, deadline=None)
@given(KNOBS)
def test_the_kernels_measures_are_stats_measures(knobs):
    data, sig, settings_ = cases.case(knobs)
    r = ct.vectorized.backtest(data, **sig, **settings_)
    assert repr(r.measures()) == repr(stats.measure(r.trades, r.open_trades, r.times, r.equity))


def test_the_random_cases_reach_every_rule():
    """The cases above exercise what they claim: stops, trailing stops, reversals, the market
    rules' and the broker's rejections and cancels (a seeded sample of them)."""
    seen = set()
    for knobs in cases.fixed_knobs(120, seed=3):
        data, sig, settings_ = cases.case(knobs)
        for o in ct.vectorized.backtest(data, **sig, **settings_).orders:
            seen.add((o.type, o.status, o.rule))
    for expected in [("stop", "filled", ""), ("limit", "filled", ""), ("trailing_stop", "filled", ""),
                     ("market", "rejected", "insufficient_margin"), ("market", "rejected", "amount_rounds_to_zero"),
                     ("market", "rejected", "cost_below_min"), ("market", "rejected", "price_below_min"),
                     ("limit", "canceled", "oco"), ("stop", "canceled", "parent_not_filled"),
                     ("trailing_stop", "canceled", "position_closed"), ("stop", "canceled", "canceled")]:
        assert expected in seen, expected


class SmaCross(SignalStrategy):
    params = dict(fast=10, slow=30, stop=0.0)

    def signals(self):
        fast = ct.ind.SMA(self.data.close, self.p.fast)
        slow = ct.ind.SMA(self.data.close, self.p.slow)
        return Signals(fast > slow, fast < slow, stop_loss=self.p.stop or None)


class Crossing(SignalStrategy):
    params = dict(n=20)

    def init(self):
        self.sma = ct.ind.SMA(self.data.close, self.p.n)  # an overlay of its own, for the page
        super().init()

    def signals(self):
        cross = ct.ind.CROSSOVER(self.data.close, self.sma)
        return Signals(cross, ct.ind.CROSSUNDER(self.data.close, self.sma), direction="both", trail_stop=0.02)


class Hand(ct.Strategy):
    def next(self):
        if not self.position:
            self.buy()


class OwnNext(SmaCross):
    def next(self):
        super().next()


@pytest.mark.parametrize("strategy,params", [(SmaCross, {}), (SmaCross, dict(fast=3, slow=7, stop=0.01)),
                                             (Crossing, dict(n=9))])
def test_a_signal_strategy_runs_on_the_kernel_with_the_engines_result(strategy, params):
    data = synthetic.ohlcv(3000, seed=4, step=0.004)
    options = dict(commission=0.001, slippage=2, intrabar="nearest")
    p = ct.vectorized.plan(strategy, data, params=params, settings=options)
    assert (p.engine, p.reason) == ("vectorized", None)
    fast, slow = p.run(), ct.backtest(strategy, data, params=params, engine="event", **options)
    assert cases.outcome(fast) == cases.outcome(slow)
    assert len(fast.trades) > 20


def test_the_plan_says_why_the_event_engine_runs():
    data = synthetic.ohlcv(300, seed=5)
    why = {
        "hand": ct.vectorized.plan(Hand, data).reason,
        "own next": ct.vectorized.plan(OwnNext, data).reason,
        "feeds": ct.vectorized.plan(SmaCross, [data, data]).reason,
        "sub-bars": ct.vectorized.plan(SmaCross, data, settings=dict(intrabar_data=data)).reason,
        "rules": ct.vectorized.plan(SmaCross, data, settings=dict(market_rules=object())).reason,
        "volume": ct.vectorized.plan(SmaCross, data, settings=dict(volume_limit=0.1)).reason,
        "asked": ct.vectorized.plan(SmaCross, data, settings=dict(engine="event")).reason,
    }
    assert "does not declare its trades as signals" in why["hand"]
    assert "OwnNext defines next()" in why["own next"]
    assert "2 feeds" in why["feeds"] and "intrabar_data" in why["sub-bars"] and "MarketRules" in why["rules"]
    assert why["volume"] == "volume_limit: partial fills run in the event engine"
    assert why["asked"] == "engine='event' asks for the event engine"
    assert ct.vectorized.supports(SmaCross, dict(commission=0.001)) and not ct.vectorized.supports(Hand, {})
    assert not ct.vectorized.supports(SmaCross, dict(volume_limit=0.1))
    assert not ct.vectorized.supports(SmaCross, dict(engine="event"))
    assert cases.same_json(ct.vectorized.run_strategy(SmaCross, data, params=dict(fast=4), commission=0.001)) == \
        cases.same_json(ct.backtest(SmaCross, data, params=dict(fast=4), commission=0.001, engine="event"))
    slow = ct.vectorized.plan(OwnNext, data, settings=dict(commission=0.001))
    assert slow.engine == "event" and not slow.fast
    assert slow.run().to_json() == ct.backtest(OwnNext, data, commission=0.001).to_json()


def without_benchmark(stats):
    """A run's statistics as a sweep's row gives them: without the buy-and-hold figures."""
    return {**stats, **dict.fromkeys(("benchmark_return", "alpha", "beta"))}


def test_ct_backtest_runs_a_qualifying_signal_strategy_on_the_kernel_and_says_so():
    data = synthetic.ohlcv(2000, seed=14, step=0.004)
    seen = []
    fast = ct.backtest(SmaCross, data, params=dict(stop=0.01), commission=0.001,
                       progress=lambda done, total: seen.append((done, total)))
    slow = ct.backtest(SmaCross, data, params=dict(stop=0.01), commission=0.001, engine="event")
    assert (fast.engine, fast.engine_reason) == ("vectorized", None) and fast.to_dict()["engine"] == "vectorized"
    assert (slow.engine, slow.engine_reason) == ("event", "engine='event' asks for the event engine")
    assert slow.to_dict()["engine"] == "event"
    assert cases.outcome(fast) == cases.outcome(slow) and len(fast.trades) > 10
    assert seen == [(2000, 2000)]
    assert ct.backtest(SmaCross, data, engine="vectorized").engine == "vectorized"
    hand = ct.backtest(Hand, data)
    assert hand.engine == "event" and "Hand does not declare its trades as signals" in hand.engine_reason
    partial = ct.backtest(SmaCross, data, volume_limit=0.5)  # partial fills are the event engine's
    assert (partial.engine, partial.engine_reason) == ("event", "volume_limit: partial fills run in the event engine")
    with pytest.raises(ValueError, match="^engine='vectorized': OwnNext defines next\\(\\): only the event engine calls it$"):
        ct.backtest(OwnNext, data, engine="vectorized")
    with pytest.raises(ValueError, match="^engine must be one of auto, event, vectorized, got 'fast'$"):
        ct.backtest(SmaCross, data, engine="fast")


def test_the_runner_routes_strategy_source_and_keeps_its_overlays():
    """The browser's and the server's path (cracktrader.runner): a SignalStrategy's source runs
    on the kernel, its indicator lines still drawn; `engine` is one of the run's settings."""
    from cracktrader import runner

    source = (
        "import cracktrader as ct\n"
        "class Cross(ct.vectorized.SignalStrategy):\n"
        "    def init(self):\n"
        "        self.sma = ct.ind.SMA(self.data.close, 12)\n"
        "        super().init()\n"
        "    def signals(self):\n"
        "        return ct.vectorized.Signals(ct.ind.CROSSOVER(self.data.close, self.sma),\n"
        "                                     ct.ind.CROSSUNDER(self.data.close, self.sma))\n")
    data = synthetic.ohlcv(1500, seed=15, step=0.004)
    fast = runner.run_source(source, data, settings=dict(commission=0.001))
    slow = runner.run_source(source, data, settings=dict(commission=0.001, engine="event"))
    assert (fast.result().engine, slow.result().engine) == ("vectorized", "event")
    assert cases.outcome(fast.result()) == cases.outcome(slow.result())
    assert [label for label, _, _ in runner.overlays(fast)] == ["SMA(close, 12)"]
    assert bytes(runner.overlays(fast)[0][2]) == bytes(runner.overlays(slow)[0][2])


def test_a_sweep_gives_every_columns_statistics_and_the_best_results():
    data = synthetic.ohlcv(4000, seed=6, step=0.004)
    grid = [dict(fast=f, slow=s) for f in (3, 8, 13) for s in (20, 45)]
    done = []
    sweep = ct.vectorized.sweep(data, [(SmaCross, g) for g in grid], top=2, objective="total_return",
                                progress=lambda a, b: done.append((a, b)), commission=0.001, sizing="50%")
    assert done[-1] == (len(grid), len(grid))
    for g, row in zip(grid, sweep.stats):
        assert row.pop("column") == grid.index(g)
        assert row == without_benchmark(ct.backtest(SmaCross, data, params=g, commission=0.001, sizing="50%", engine="event").stats)
    returns = sorted((row["total_return"], -k) for k, row in enumerate(sweep.stats))
    assert [k for k, _ in sweep.best] == [-returns[-1][1], -returns[-2][1]]
    for k, result in sweep.best:
        slow = ct.backtest(SmaCross, data, params=grid[k], commission=0.001, sizing="50%", engine="event")
        assert cases.same_json(result) == cases.same_json(slow)


def test_a_sweep_takes_arrays_functions_and_one_market_per_column():
    markets = [synthetic.ohlcv(500, seed=s, step=0.01) for s in (1, 2, 3)]
    columns = [(cases.signals(500, s, 0.05, "long")) for s in (1, 2, 3)]
    sweep = ct.vectorized.sweep(markets, columns, top=1, commission=0.001)
    for data, (entries, exits), row in zip(markets, columns, sweep.stats):
        row.pop("column")
        assert row == without_benchmark(ct.vectorized.backtest(data, entries, exits, commission=0.001).stats)

    def crossing(n):
        return lambda d: (ct.ind.CROSSOVER(d.close, ct.ind.SMA(d.close, n)), ct.ind.CROSSUNDER(d.close, ct.ind.SMA(d.close, n)))

    lines = ct.vectorized.sweep(markets[0], [crossing(5), crossing(9)], top=0)
    assert lines.best == []
    for n, row in zip((5, 9), lines.stats):
        row.pop("column")
        assert row == without_benchmark(ct.backtest(ArraySignals, markets[0], params=dict(signals=Signals(crossing(n))), engine="event").stats)


def test_a_sweep_holds_one_batch_of_columns_at_a_time(monkeypatch):
    sweep_module = importlib.import_module("cracktrader.vectorized.sweep")  # (the package's `sweep` is the function)
    monkeypatch.setattr(sweep_module, "BATCH_VALUES", 1000)  # 5 columns of 200 bars a batch
    data, made, seen = synthetic.ohlcv(200, seed=13), [0], []

    def columns():
        for k in range(23):
            made[0] += 1
            yield cases.signals(200, k, 0.1, "long")

    sweep = ct.vectorized.sweep(data, columns(), top=2, progress=lambda done, total: seen.append((made[0], done, total)))
    assert [done for _, done, _ in seen] == [5, 10, 15, 20, 23] and all(total is None for *_, total in seen)
    assert all(made - done <= 0 for made, done, _ in seen)  # each batch ran before the next was made
    assert len(sweep.stats) == 23 and len(sweep.best) == 2


def test_a_failed_column_is_recorded_and_the_sweep_goes_on():
    data = synthetic.ohlcv(100, seed=7)
    sweep = ct.vectorized.sweep(data, [(SmaCross, dict(slow=500)), ([1.0] * 99, None), (SmaCross, {})])
    assert sweep.stats[0] == {"column": 0, "error": "ValueError: not enough data for the signals' indicators: they "
                                                    "need 500 bars, the data has 100"}
    assert sweep.stats[1] == {"column": 1, "error": "ValueError: entries has 99 values, the data has 100 bars"}
    assert sweep.stats[2]["trades"] >= 1
    with pytest.raises(ValueError, match="objective 'sharp' is not a statistic"):
        ct.vectorized.sweep(data, [(SmaCross, {})], objective="sharp")
    with pytest.raises(ValueError, match="ct.vectorized.sweep: intrabar_data: sub-bar replay runs in the event engine"):
        ct.vectorized.sweep(data, [(SmaCross, {})], intrabar_data=data)
    with pytest.raises(ct.DataError, match="empty"):
        ct.vectorized.sweep(data.slice(0, 0), [(SmaCross, {})])


def test_signals_of_any_column_type_give_the_same_result():
    np = pytest.importorskip("numpy")
    data = synthetic.ohlcv(800, seed=8, step=0.01)
    entries, exits = cases.signals(800, 8, 0.1, "long")
    expect = ct.vectorized.backtest(data, entries, exits).to_json()
    assert ct.vectorized.backtest(data, np.array(entries) > 0, np.array(exits) > 0).to_json() == expect
    assert ct.vectorized.backtest(data, np.array(entries, dtype=np.int8), list(exits)).to_json() == expect
    assert ct.vectorized.backtest(data, np.array(entries, dtype=np.int64), np.array(exits)).to_json() == expect
    both = np.array(entries) - np.array(exits)  # +1 long, -1 short
    assert (cases.same_json(ct.vectorized.backtest(data, both.astype(np.int8), direction="both"))
            == cases.same_json(ct.backtest(ArraySignals, data, params=dict(signals=Signals(both, direction="both")),
                                           engine="event")))


def test_an_exit_wins_over_an_entry_on_the_same_bar():
    data = synthetic.ohlcv(6, seed=9)
    r = ct.vectorized.backtest(data, [1, 1, 1, 0, 0, 0], [0, 0, 1, 0, 0, 0], fill="close")
    # bar 0 enters; bar 2 has both: it exits and stays flat (the entry is not taken)
    assert [(t.entry_step, t.exit_step) for t in r.trades] == [(0, 2)] and not r.open_trades
    flat = ct.vectorized.backtest(data, [0, 0, 1, 0, 0, 0], [0, 0, 1, 0, 0, 0], fill="close")
    assert [t.entry_step for t in flat.open_trades] == [2]  # flat, nothing to exit: it enters


def test_bad_signals_get_clear_errors_like_the_engines():
    data = synthetic.ohlcv(50, seed=10)
    with pytest.raises(ValueError, match="^entries has 49 values, the data has 50 bars$"):
        ct.vectorized.backtest(data, [0.0] * 49)
    with pytest.raises(TypeError, match="entries: expected a line, a column of numbers or bools"):
        ct.vectorized.backtest(data, "buy")
    with pytest.raises(ValueError, match="stop_loss must be a fraction of the price between 0 and 1"):
        ct.vectorized.backtest(data, [0.0] * 50, stop_loss=2)
    with pytest.raises(ValueError, match="direction must be one of long, short, both"):
        ct.vectorized.backtest(data, [0.0] * 50, direction="up")
    entries = [0.0] * 50
    entries[17] = float("nan")
    with pytest.raises(ValueError) as fast:
        ct.vectorized.backtest(data, entries)
    with pytest.raises(ValueError) as slow:
        ct.backtest(ArraySignals, data, params=dict(signals=Signals(entries)), engine="event")
    assert str(fast.value) == str(slow.value) == f"entries is NaN at bar 17 (time {data.time[17]}): signals are numbers (0: none)"

    class Typo(SignalStrategy):
        def signals(self):
            return Signals(self.data.clsoe)

    with pytest.raises(ct.StrategyError) as typo:  # the strategy's own mistakes name its line
        ct.vectorized.plan(Typo, data).run()
    assert typo.value.file == __file__ and "'Feed' object has no attribute 'clsoe'" in str(typo.value)
    with pytest.raises(ValueError, match="intrabar_data: sub-bar replay runs in the event engine"):
        ct.vectorized.backtest(data, [0.0] * 50, intrabar_data=data)


def test_bad_prices_get_the_engines_data_error():
    data = synthetic.ohlcv(30, seed=12)
    data.close[11] = float("nan")
    with pytest.raises(ct.DataError) as fast:
        ct.vectorized.backtest(data, [0.0] * 30)
    with pytest.raises(ct.DataError) as slow:
        ct.backtest(ArraySignals, data, params=dict(signals=Signals([0.0] * 30)), engine="event")
    assert str(fast.value) == str(slow.value) and (fast.value.row, fast.value.field) == (12, "close")


def test_orders_the_market_refuses_are_rejected_with_their_rule():
    data = synthetic.ohlcv(40, seed=11)
    rules = MarketRules("TICK_SIZE", amount_precision=0.1, cost_min=5.0)
    r = ct.vectorized.backtest(data, [1.0] + [0.0] * 39, size=0.04, market_rules=rules)
    order = r.orders[0]
    assert (order.status, order.rule) == ("rejected", "amount_rounds_to_zero") and not r.trades
    slow = ct.backtest(ArraySignals, data, params=dict(signals=Signals([1.0] + [0.0] * 39, size=0.04)), market_rules=rules,
                       engine="event")
    assert order.reason == slow.orders[0].reason and "amount_rounds_to_zero" in order.reason


def test_import_cracktrader_stays_light_and_vectorized_loads_on_use():
    code = ("import sys, cracktrader as ct; assert 'cracktrader.vectorized' not in sys.modules; "
            "assert 'cracktrader.kernels' not in sys.modules; print(ct.vectorized.backtest.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "cracktrader.vectorized"


def test_a_size_with_float_noise_is_rounded_to_its_digits_before_the_market_rules():
    """The broker takes 12 significant digits of a size before truncating it to the amount
    step (fills.denoise): 0.7 - 0.4 = 0.29999999999999993 buys 0.3, not 0.29."""
    data = synthetic.ohlcv(40, seed=11)
    rules = MarketRules("TICK_SIZE", amount_precision=0.01)
    sig = dict(entries=[1.0] + [0.0] * 39, size=0.7 - 0.4)
    fast = ct.vectorized.backtest(data, **sig, market_rules=rules)
    slow = ct.backtest(ArraySignals, data, params=dict(signals=Signals(**sig)), market_rules=rules, engine="event")
    assert fast.orders[0].size == slow.orders[0].size == 0.3
    assert cases.outcome(fast) == cases.outcome(slow)
