"""The vectorized kernel's WASM build, in Pyodide: the same Results as the native build and as
the event engine there (random market data, signals and settings), the same sweep statistics,
byte signals and errors."""

import json
from pathlib import Path

import cracktrader as ct
from support import vectorized_cases as cases
from cracktrader import synthetic

SOURCE = Path(cases.__file__).read_text()


def test_the_wasm_kernel_gives_the_native_kernels_and_the_engines_results(pyodide):
    knobs = cases.fixed_knobs(40, seed=11)
    code = SOURCE + f"\nimport json\nresult = [run_both(k) for k in json.loads({json.dumps(knobs)!r})]\n"
    got = pyodide.run(code)
    assert len(got) == len(knobs)
    for k, (fast, slow) in zip(knobs, got):
        assert fast == slow, k  # in Pyodide: the WASM kernel = the event engine
        assert [fast, slow] == list(cases.run_both(k)), k  # = CPython's, native kernel and engine


SWEEP = """
from array import array
import cracktrader as ct
from cracktrader import synthetic
data = synthetic.ohlcv(1500, seed=12, step=0.01)
columns = [signals(1500, s, 0.05, "long") for s in range(6)]
columns[2] = (array("b", [int(v) for v in columns[2][0]]), array("B", [int(v) for v in columns[2][1]]))
sweep = ct.vectorized.sweep(data, columns, top=2, commission=0.001, slippage=3)
result = {"stats": sweep.stats, "best": [[k, r.to_json()] for k, r in sweep.best], "backend": ct.kernels.backend}
"""


def test_a_sweep_in_pyodide_equals_the_native_sweep(pyodide):
    got = pyodide.run(SOURCE + SWEEP)
    assert got.pop("backend") == "wasm"
    data = synthetic.ohlcv(1500, seed=12, step=0.01)
    columns = [cases.signals(1500, s, 0.05, "long") for s in range(6)]
    sweep = ct.vectorized.sweep(data, columns, top=2, commission=0.001, slippage=3)
    assert got == json.loads(json.dumps({"stats": sweep.stats, "best": [[k, r.to_json()] for k, r in sweep.best]}))


def test_the_same_errors_in_pyodide(pyodide):
    calls = ["ct.vectorized.backtest(data, [0.0] * 10 + [float('nan')] + [0.0] * 19)",
             "ct.vectorized.backtest(data, [0.0] * 29)", "ct.vectorized.backtest(data, 'x')",
             "ct.vectorized.backtest(data, [0.0] * 30, trail_stop=1.5)"]
    code = ("import cracktrader as ct\nfrom cracktrader import synthetic\ndata = synthetic.ohlcv(30, seed=1)\nresult = []\n"
            + "".join(f"try:\n    {c}\n    result.append(None)\nexcept Exception as e:\n"
                      f"    result.append([type(e).__name__, str(e)])\n" for c in calls))
    data = synthetic.ohlcv(30, seed=1)
    expected = []
    for c in calls:
        try:
            eval(c, {"ct": ct, "data": data})
            expected.append(None)
        except Exception as e:
            expected.append([type(e).__name__, str(e)])
    assert None not in expected
    assert pyodide.run(code) == expected


RUNNER = """
from cracktrader import runner, synthetic
from cracktrader.kernels import MarketRules
data = synthetic.ohlcv(1200, seed=16, step=0.005)
runs = {name: runner.run_source(STRATEGY, data, settings=dict(commission=0.001, slippage=2, engine=engine)).result()
        for name, engine in (("fast", "auto"), ("slow", "event"))}
noisy = dict(entries=[1.0] + [0.0] * 39, size=0.7 - 0.4)  # 0.29999999999999993: the broker buys 0.3
small = synthetic.ohlcv(40, seed=11)
runs["noisy"] = ct.vectorized.backtest(small, **noisy, market_rules=MarketRules("TICK_SIZE", amount_precision=0.01))
result = {name: [r.engine, outcome(r)] for name, r in runs.items()}
"""

STRATEGY = '''
import cracktrader as ct

class Cross(ct.vectorized.SignalStrategy):
    def signals(self):
        fast, slow = ct.ind.EMA(self.data.close, 8), ct.ind.SMA(self.data.close, 30)
        return ct.vectorized.Signals(fast > slow, fast < slow, direction="both", stop_loss=0.02)
'''


def test_the_browsers_runner_routes_a_signal_strategy_to_the_wasm_kernel(pyodide):
    got = pyodide.run(SOURCE + f"\nSTRATEGY = {STRATEGY!r}\n" + RUNNER)
    assert got["fast"][0] == "vectorized" and got["slow"][0] == "event"
    assert got["fast"][1] == got["slow"][1]
    from cracktrader import runner
    from cracktrader.kernels import MarketRules

    data = synthetic.ohlcv(1200, seed=16, step=0.005)
    native = runner.run_source(STRATEGY, data, settings=dict(commission=0.001, slippage=2)).result()
    assert got["fast"] == [native.engine, cases.outcome(native)]
    noisy = ct.vectorized.backtest(synthetic.ohlcv(40, seed=11), entries=[1.0] + [0.0] * 39, size=0.7 - 0.4,
                                   market_rules=MarketRules("TICK_SIZE", amount_precision=0.01))
    assert noisy.orders[0].size == 0.3 and got["noisy"] == ["vectorized", cases.outcome(noisy)]
