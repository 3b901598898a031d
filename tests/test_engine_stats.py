"""Statistics: hand-computed on a tiny equity curve and trade list; annualization follows the
data; the platform-independent exp/log/pow agree with the C library."""

import math
import random
from types import SimpleNamespace

import pytest

from cracktrader import detmath, stats
from support.engine import run

DAY = 86_400_000


def trade(pnl, entry, exit, commission=1.0):
    return SimpleNamespace(pnl=pnl, commission=commission, entry_step=entry, exit_step=exit, is_open=False)


def test_stats_of_a_small_run_by_hand():
    times = [DAY * k for k in range(4)]
    equity = [100.0, 110.0, 99.0, 121.0]
    trades = [trade(10, 0, 1), trade(-5, 1, 2), trade(20, 2, 3), trade(-2.5, 3, 3)]
    s = stats.compute(trades, [], times, equity, 100.0, DAY)
    r = [0.1, 99 / 110 - 1, 121 / 99 - 1]
    mean = sum(r) / 3
    std = math.sqrt(sum((x - mean) ** 2 for x in r) / 2)
    assert s["total_return"] == pytest.approx(0.21)
    assert s["volatility"] == pytest.approx(std * math.sqrt(365))
    assert s["sharpe"] == pytest.approx(mean / std * math.sqrt(365))
    assert s["sortino"] == pytest.approx(mean / math.sqrt(r[1] ** 2 / 3) * math.sqrt(365))
    assert s["cagr"] == pytest.approx(1.21 ** (365 / 4) - 1, rel=1e-12)
    assert s["max_drawdown"] == pytest.approx(0.1)
    assert (s["max_drawdown_duration_ms"], s["max_drawdown_duration_bars"]) == (2 * DAY, 2)
    assert s["calmar"] == pytest.approx(s["cagr"] / 0.1)
    assert (s["trades"], s["win_rate"], s["profit_factor"]) == (4, 0.5, 4.0)
    assert (s["expectancy"], s["best_trade"], s["worst_trade"], s["fees"]) == (5.625, 20, -5, 4.0)
    assert s["expectancy"] == 0.5 * (10 + 20) / 2 + 0.5 * (-5 - 2.5) / 2  # win-rate-weighted: the same figure
    pnl_std = math.sqrt(sum((p - 5.625) ** 2 for p in (10, -5, 20, -2.5)) / 3)
    assert s["sqn"] == pytest.approx(2 * 5.625 / pnl_std)
    assert s["exposure"] == 0.75  # bars 0, 1 and 2 ended with a position open
    assert s["annualization"] == {"days_per_year": 365, "hours_per_day": 24, "bar_ms": DAY, "periods_per_year": 365.0}


def test_drawdown_still_under_water_at_the_end():
    worst, ms, bars = stats.drawdown([0, 10, 20, 30, 40], [5.0, 8.0, 4.0, 6.0, 7.0])
    assert (worst, ms, bars) == (0.5, 30, 3)


def test_undefined_stats_are_null_not_nan():
    result, _ = run([(100, 100, 100, 100)] * 3, {})
    s = result.stats
    assert s["trades"] == 0 and s["sharpe"] is None and s["win_rate"] is None and s["profit_factor"] is None
    assert s["max_drawdown"] == 0 and s["calmar"] is None and s["exposure"] == 0
    assert "NaN" not in result.to_json() and "Infinity" not in result.to_json()


def test_annualization_follows_the_bars():
    result, _ = run([(100, 100, 100, 100)] * 3, {})
    assert result.stats["annualization"]["periods_per_year"] == 365 * 24 * 60
    assert result.stats["annualization"]["bar_ms"] == 60_000


def test_result_json_follows_the_schema():
    rows = [(100, 100, 100, 100), (100, 101, 99, 100), (102, 102, 102, 102), (103, 103, 103, 103)]
    result, _ = run(rows, {0: lambda s: s.buy(size=1), 1: lambda s: s.close()}, commission=0.001)
    import json

    doc = json.loads(result.to_json())
    assert list(doc) == ["final_value", "engine", "stats", "trades", "open_trades", "summary", "log", "equity"]
    pnl = 2 - (0.001 * 100 + 0.001 * 102)
    assert doc["trades"] == [{"entry_time": 1_700_000_100_000, "exit_time": 1_700_000_160_000, "side": "long",
                              "size": 1.0, "entry_price": 100.0, "exit_price": 102.0,
                              "pnl": pnl, "commission": 0.001 * 100 + 0.001 * 102,
                              # held over bar 1 (low 99, high 101), out at bar 2's open (102)
                              "bars": 1, "duration_ms": 60_000, "return": pnl / 100, "mae": -1.0, "mfe": 2.0,
                              "entry_reason": "signal", "exit_reason": "signal"}]
    assert doc["open_trades"] == [] and doc["log"] == []
    assert doc["summary"]["long"]["trades"] == 1 and doc["summary"]["short"]["trades"] == 0
    assert doc["summary"]["monthly"] == [{"month": "2023-11", "return": doc["final_value"] / 10_000 - 1}]
    assert doc["equity"][0] == [1_700_000_040_000, 10_000.0] and len(doc["equity"]) == 4
    assert doc["final_value"] == doc["equity"][-1][1] == doc["stats"]["final_value"]


def test_result_json_is_its_dict_in_every_form():
    rows = [(100, 100, 100, 100), (100, 101, 99, 100), (102, 102, 102, 102), (103, 103, 103, 103)]
    result, _ = run(rows, {0: lambda s: s.buy(size=1), 1: lambda s: s.close()})
    import json

    assert result.to_json() == json.dumps(result.to_dict(), allow_nan=False)
    assert result.to_json(indent=2) == json.dumps(result.to_dict(), indent=2, allow_nan=False)
    result.equity[2] = float("nan")  # an undefined value becomes null, by the plain path
    assert json.loads(result.to_json())["equity"][2] == [result.times[2], None]


def test_deterministic_math_agrees_with_the_c_library():
    rng = random.Random(3)
    for _ in range(2000):
        x = math.exp(rng.uniform(-700, 700)) if rng.random() < 0.5 else rng.uniform(1e-3, 10)
        assert detmath.log(x) == pytest.approx(math.log(x), rel=4e-16, abs=1e-300)
        y = rng.uniform(-700, 700)
        assert detmath.exp(y) == pytest.approx(math.exp(y), rel=1e-15)
        a, b = rng.uniform(0.01, 3), rng.uniform(-50, 50)
        assert detmath.pow(a, b) == pytest.approx(a ** b, rel=1e-13)
    assert detmath.exp(0.0) == 1.0 and detmath.log(1.0) == 0.0 and detmath.pow(2.0, 10.0) == pytest.approx(1024, rel=1e-15)
    with pytest.raises(ValueError):
        detmath.log(0.0)


def test_stats_are_computed_from_trades_and_equity_only():
    rows = [(100, 100, 100, 100), (100, 100, 100, 100), (104, 104, 104, 104)]
    result, _ = run(rows, {0: lambda s: s.buy(size=2)})
    again = stats.compute(result.trades, result.open_trades, result.times, result.equity, 10_000.0, 60_000,
                          result.benchmark)
    assert again == result.stats
    assert result.stats["open_trades"] == 1 and result.stats["exposure"] == 2 / 3  # filled at bar 1's open
    assert result.stats["fees"] == 0 and result.final_value == 10_000 + 2 * 4
