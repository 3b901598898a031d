"""The statistics' sums over the equity curve (`stats.curve`, `stats.versus`) are computed by a
kernel in one pass: the same bits as their pure-Python definitions (tests/support/reference_stats.py),
in both builds."""

import json
import random
from array import array

import pytest

from cracktrader import stats
from cracktrader.kernels.returns import curve_measures, versus_sums
from support import reference_stats as reference

DAY = 86_400_000


def curves():
    """(times, equity, benchmark) of every awkward kind: lengths 1..5000, bars worth 0, a run
    starting at or below 0, flat runs, gaps in the times, one that ends under water, a NaN
    benchmark (a second feed's close before its first bar)."""
    rng = random.Random(11)
    out = []
    for n in (1, 2, 3, 17, 1000, 5000):
        value, bench, equity, benchmark = 1000.0, 50.0, [], []
        for _ in range(n):
            value *= 1.0 + rng.gauss(0.0, 0.01)
            bench *= 1.0 + rng.gauss(0.0, 0.02)
            equity.append(value)
            benchmark.append(bench)
        times = [k * 60_000 for k in range(n)]
        out.append((times, equity, benchmark))
    times, equity, benchmark = (list(x) for x in out[4])
    equity[10:13] = [0.0, 0.0, 5.0]
    benchmark[:3] = [float("nan")] * 3
    out.append((times, equity, benchmark))
    gappy = [k * 60_000 + (k // 100) * 7 * DAY for k in range(1000)]
    out.append((gappy, out[4][1], out[4][2]))
    out.append((list(range(0, 500, 5)), [-10.0 + 0.1 * k * (-1) ** k for k in range(100)], [1.0] * 100))
    out.append(([0, 1, 2, 3], [7.0] * 4, [1.0, 1.0, 2.0, 2.0]))
    out.append(([0, 10, 20, 30, 40], [5.0, 8.0, 4.0, 6.0, 7.0], [1.0, 2.0, 3.0, 4.0, 5.0]))
    return out


def test_the_curve_measures_are_the_references_bits():
    for times, equity, benchmark in curves():
        assert repr(stats.curve(array("q", times), array("d", equity))) == repr(reference.curve(times, equity)), len(equity)
        assert repr(versus_sums(array("d", equity), array("d", benchmark))) == \
            repr(tuple(map(float, reference.versus_sums(equity, benchmark)))), len(equity)


def test_measure_and_versus_take_lists_and_arrays_alike():
    times, equity, benchmark = curves()[4]
    assert stats.curve(times, equity) == stats.curve(array("q", times), array("d", equity))
    assert stats.versus(equity, benchmark, 60_000) == stats.versus(array("d", equity), array("d", benchmark), 60_000)


def test_bad_columns_are_named():
    with pytest.raises(ValueError, match="curve_measures: time and equity must have the same length"):
        curve_measures(array("q", [0, 1]), array("d", [1.0]))
    with pytest.raises(ValueError, match="at least one bar"):
        curve_measures(array("q"), array("d"))
    with pytest.raises(ValueError, match="versus sums: equity and benchmark must have the same length"):
        versus_sums(array("d", [1.0, 2.0]), array("d", [1.0]))
    with pytest.raises(TypeError, match="curve_measures: time must be an int64 buffer"):
        curve_measures("abc", array("d", [1.0, 2.0, 3.0]))


def test_in_pyodide_they_are_the_native_bits(pyodide):
    # The curves travel as data: random.gauss goes through libm, whose last bits differ there.
    data = json.dumps(curves())
    code = ("import json\nfrom cracktrader import stats\nfrom cracktrader.kernels.returns import versus_sums\n"
            f"data = json.loads({data!r})\n"
            "result = [[stats.curve(t, e), versus_sums(e, b), stats.versus(e, b, 60_000)] for t, e, b in data]\n"
            "result = json.loads(json.dumps(result).replace('NaN', '\"nan\"'))\n")
    expected = [[stats.curve(t, e), versus_sums(e, b), stats.versus(e, b, 60_000)] for t, e, b in json.loads(data)]
    got = pyodide.run(code)
    assert got == json.loads(json.dumps(expected).replace("NaN", '"nan"'))
