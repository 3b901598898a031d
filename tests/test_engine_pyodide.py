"""The engine under Pyodide with the WASM kernels gives byte-identical Result JSON."""

from pathlib import Path

import pytest

import cracktrader as ct
import cracktrader.kernels as k
from cracktrader import synthetic
from support import strategies

SOURCE = Path(strategies.__file__).read_text()

CASES = {
    "sma_cross": ("SmaCross", "synthetic.ohlcv(3000, seed=21, step=0.004)", dict(commission=0.001)),
    "busy": ("Busy", "synthetic.ohlcv(2000, seed=7, step=0.004)",
             dict(commission=ct.Commission(maker=0.0002, taker=0.0007, fixed=0.01), slippage="0.05range")),
    "busy_favorable_close": ("Busy", "synthetic.ohlcv(1500, seed=8, step=0.004)",
                             dict(intrabar="favorable", fill="close", leverage=2, sizing=1.5)),
    "oscillators": ("Oscillators", "synthetic.ohlcv(3000, seed=31, step=0.004)", dict(commission=0.001)),
    "two_feeds": ("TwoFeeds", "[synthetic.ohlcv(600, seed=3, step=0.004, t0=1_700_000_100_000), "
                  "synthetic.ohlcv(120, seed=4, step=0.004, bar_ms=300_000, t0=1_700_000_100_000)]", dict(slippage=3)),
}


def options_source(options):
    parts = []
    for key, value in options.items():
        if isinstance(value, ct.Commission):
            value = f"ct.Commission(maker={value.maker!r}, taker={value.taker!r}, fixed={value.fixed!r})"
        else:
            value = repr(value)
        parts.append(f"{key}={value}")
    return ", ".join(parts)


def test_engine_json_is_byte_identical_on_pyodide(pyodide):
    code = [SOURCE, "from cracktrader import synthetic", "import cracktrader.kernels as k", "result = {}"]
    expected = {}
    for name, (cls, data, options) in CASES.items():
        code.append(f"result[{name!r}] = ct.backtest({cls}, {data}, {options_source(options)}).to_json()")
        data_value = eval(data, {"synthetic": synthetic})
        expected[name] = ct.backtest(getattr(strategies, cls), data_value, **options).to_json()
    code.append("result['backend'] = k.backend")
    got = pyodide.run("\n".join(code))
    assert got.pop("backend") == "wasm" and k.backend == "native"
    for name in CASES:
        assert got[name] == expected[name], name
    assert '"trades": []' not in expected["busy"] and '"cagr": null' not in expected["sma_cross"]


def test_live_run_on_pyodide_equals_the_batch_run_here(pyodide):
    code = SOURCE + (
        "\nfrom cracktrader import synthetic\n"
        "data = synthetic.ohlcv(800, seed=5, step=0.004)\n"
        "live = ct.Engine(Busy, data.slice(0, 100), commission=0.001)\n"
        "for i in range(100, len(data)):\n"
        "    live.push((data.time[i], data.open[i], data.high[i], data.low[i], data.close[i], data.volume[i]))\n"
        "result = live.result().to_json()\n"
    )
    batch = ct.backtest(strategies.Busy, synthetic.ohlcv(800, seed=5, step=0.004), commission=0.001)
    assert pyodide.run(code) == batch.to_json()


@pytest.mark.parametrize("call", ["ct.backtest(SmaCross, synthetic.ohlcv(10))",
                                  "ct.backtest(Busy, synthetic.ohlcv(50), cash=-1)"])
def test_same_errors_on_pyodide(pyodide, call):
    code = SOURCE + f"\nfrom cracktrader import synthetic\ntry:\n    {call}\n    result = None\nexcept Exception as e:\n    result = [type(e).__name__, str(e)]\n"
    namespace = {"ct": ct, "synthetic": synthetic, "SmaCross": strategies.SmaCross, "Busy": strategies.Busy}
    with pytest.raises(Exception) as here:
        eval(call, namespace)
    assert pyodide.run(code) == [type(here.value).__name__, str(here.value)]


def test_market_rules_in_a_backtest_agree_on_pyodide(pyodide):
    run = ("ct.backtest(Busy, synthetic.ohlcv(1500, seed=12, step=0.004), commission=0.001, market_rules="
           "MarketRules('TICK_SIZE', amount_precision=0.01, price_precision=0.05, amount_min=0.1, cost_min=20.0))")
    code = SOURCE + f"\nfrom cracktrader import synthetic\nfrom cracktrader.kernels import MarketRules\nresult = {run}.to_json()\n"
    from cracktrader.kernels import MarketRules

    here = eval(run, {"ct": ct, "Busy": strategies.Busy, "synthetic": synthetic, "MarketRules": MarketRules})
    assert any(o.rule.startswith(("amount_", "cost_")) for o in here.orders) and here.trades
    assert pyodide.run(code) == here.to_json()
