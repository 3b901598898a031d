"""The overfitting statistics against values computed independently from the papers' formulas
(numpy, written out here), and against the papers' own worked examples as pypbo's tests
reproduce them."""

import inspect
import json
import math
import random
from array import array
from itertools import combinations

import numpy as np
import pytest

from cracktrader.optimize import overfitting as of

EULER = 0.5772156649015329


def test_psr_reproduces_the_sharpe_ratio_efficient_frontier_example():
    # Bailey & López de Prado (2012): monthly SR 1.585/sqrt(12), skew -2.448, kurtosis 10.164, 24 months.
    assert of.psr(1.585 / math.sqrt(12), 24, -2.448, 10.164) == pytest.approx(0.91323430688486018, abs=1e-12)


def test_dsr_reproduces_the_deflated_sharpe_ratio_example():
    # Bailey & López de Prado (2014): annual SR 2.5, V[SR] 0.5 (annual), N 100, T 1250 days, skew -3, kurtosis 10.
    value = of.dsr(2.5 / math.sqrt(250), 1250, -3, 10, 0.5 / 250, 100)
    assert value == pytest.approx(0.90039683444939034, abs=1e-12)


def test_dsr_takes_raw_kurtosis_excess_kurtosis_gives_another_answer():
    # Passing excess kurtosis (vectorbt <= 1.1) moves the DSR away from 0.5: above it, higher than the paper's.
    raw = of.dsr(2.5 / math.sqrt(250), 1250, -3, 10, 0.5 / 250, 100)
    excess = of.dsr(2.5 / math.sqrt(250), 1250, -3, 10 - 3, 0.5 / 250, 100)
    assert raw == pytest.approx(0.9004, abs=1e-4) and excess > raw + 0.001


def test_expected_max_and_min_btl_reproduce_the_papers():
    assert of.expected_max(100) == pytest.approx(2.5306028932016846, abs=1e-12)
    assert of.min_btl(45, 1.0) == pytest.approx(4.9980870044434038, abs=1e-10)  # "Pseudo-mathematics", fig. 2
    assert of.expected_max(1) is None and of.min_btl(1, 1.0) is None


def test_psr_matches_the_formula_written_with_numpy():
    rng = np.random.default_rng(3)
    r = rng.standard_t(5, 2000) * 0.01 + 0.0007
    sr = r.mean() / r.std(ddof=1)
    d = r - r.mean()
    skew = (d ** 3).mean() / (d ** 2).mean() ** 1.5
    kurt = (d ** 4).mean() / (d ** 2).mean() ** 2
    z = (sr - 0.01) * math.sqrt(len(r) - 1) / math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr ** 2)
    expected = 0.5 * math.erfc(-z / math.sqrt(2))
    got_sr, got_skew, got_kurt, n = of.shape(of.moments(list(r)))
    assert (got_sr, got_skew, got_kurt) == pytest.approx((sr, skew, kurt), rel=1e-10)
    assert of.psr(got_sr, n, got_skew, got_kurt, 0.01) == pytest.approx(expected, rel=1e-10)


def reference_pbo(matrix, s):
    """CSCV as the paper describes it, on a T x N numpy matrix: the T % S oldest rows dropped,
    Sharpe ratios (ddof 1) of the concatenated blocks, the first best in-sample, average ranks."""
    t, n = matrix.shape
    matrix = matrix[t % s:]
    blocks = np.split(matrix, s)
    logits = []
    for chosen in combinations(range(s), s // 2):
        rest = [k for k in range(s) if k not in chosen]
        j, jbar = np.concatenate([blocks[k] for k in chosen]), np.concatenate([blocks[k] for k in rest])
        r, rbar = j.mean(0) / j.std(0, ddof=1), jbar.mean(0) / jbar.std(0, ddof=1)
        best = int(np.argmax(r))
        rank = (rbar < rbar[best]).sum() + ((rbar == rbar[best]).sum() + 1) / 2
        w = rank / (n + 1)
        logits.append(math.log(w / (1 - w)))
    return float(np.mean(np.array(logits) <= 0)), logits


def ours(matrix, s):
    cols = [list(matrix[:, k]) for k in range(matrix.shape[1])]
    sums = [of.block_sums(c, s) for c in cols]
    return of.pbo((len(cols[0]) // s, sums))


@pytest.mark.parametrize("t,s", [(1003, 8), (980, 14), (517, 6)])
def test_pbo_equals_an_independent_cscv(t, s):
    rng = np.random.default_rng(t)
    matrix = rng.normal(0.0002, 0.01, (t, 12))
    matrix[:, 3] = matrix[:, 5]  # two identical trials: tied ranks
    matrix[:, 7] += 0.0015  # one better than the others
    expected, logits = reference_pbo(matrix, s)
    got = ours(matrix, s)
    assert got["pbo"] == expected
    assert got["logits"] == pytest.approx(logits, abs=1e-9)


def test_pbo_is_low_for_a_real_edge_and_near_half_for_noise():
    rng = np.random.default_rng(11)
    noise = rng.normal(0, 0.01, (1600, 20))
    assert 0.3 < ours(noise, 12)["pbo"] < 0.7
    edge = noise.copy()
    edge[:, :5] += np.linspace(0.0, 0.004, 5)  # trial 4 has the strongest drift, in every block
    assert ours(edge, 12)["pbo"] < 0.05


def test_block_sums_drop_the_oldest_leftover_rows():
    values = [float(k) for k in range(10)]
    assert of.block_sums(values, 4) == [(2 + 3, 4 + 9), (4 + 5, 16 + 25), (6 + 7, 36 + 49), (8 + 9, 64 + 81)]
    assert of.block_sums(values[:3], 4) is None


def test_plateau_compares_the_best_with_its_neighbours():
    coords = [(x, y) for x in range(3) for y in range(3)]
    flat = [1.0] * 8 + [1.1]
    peak = [0.0] * 8 + [1.1]
    assert of.plateau(coords, flat, 8)["score"] == pytest.approx(3.5 / 8)  # 7 ties count half, the best is above
    assert of.plateau(coords, flat, 8)["ratio"] == pytest.approx(1 / 1.1)
    assert of.plateau(coords, peak, 8)["ratio"] == 0.0
    assert of.plateau(coords, flat, 8)["neighbours"] == 3  # corner (2, 2): (1,1), (1,2), (2,1)


def test_report_on_a_random_sweep_matches_numpy():
    rng = random.Random(5)
    records, cols = [], []
    for k in range(6):
        r = [rng.gauss(0.0003 * k, 0.01) for _ in range(800)]
        cols.append(r)
        records.append({"moments": list(of.moments(r)), "blocks": of.block_sums(r, 10), "per_year": 365.0,
                        "status": "ok"})
    scores = [np.mean(c) / np.std(c, ddof=1) for c in cols]
    best = int(np.argmax(scores))
    rep = of.report(records, scores, [(k,) for k in range(6)], best)
    srs = np.array(scores)
    assert rep["sharpe_variance"] == pytest.approx(srs.var(ddof=1), rel=1e-9)
    r = np.array(cols[best])
    d = r - r.mean()
    kurt = (d ** 4).mean() / (d ** 2).mean() ** 2
    assert rep["kurtosis"] == pytest.approx(kurt, rel=1e-9)
    emax = (1 - EULER) * of._NORMAL.inv_cdf(1 - 1 / 6) + EULER * of._NORMAL.inv_cdf(1 - 1 / (6 * math.e))
    assert rep["dsr"] == pytest.approx(of.psr(srs[best], 800, rep["skewness"], kurt, math.sqrt(srs.var(ddof=1)) * emax))
    assert rep["pbo"] == reference_pbo(np.array(cols).T, 10)[0]


def equity_curves():
    """Random equity curves of every awkward length, one with bars worth 0."""
    rng = random.Random(5)
    curves = []
    for n in (0, 1, 2, 3, 17, 1000, 4099):
        value, curve = 1000.0, []
        for _ in range(n):
            value *= 1.0 + rng.gauss(0.0, 0.01)
            curve.append(value)
        curves.append(curve)
    curves[-2][10:13] = [0.0, 0.0, 5.0]
    return curves


def reference_summaries(curve, blocks):
    """moments and block_sums (the spec) of the per-bar returns, 0 after a bar worth 0."""
    returns = [(b / a - 1.0) if a else 0.0 for a, b in zip(curve, curve[1:])]
    return of.moments(returns), of.block_sums(returns, blocks)


def test_the_kernels_return_summaries_are_the_references_bits():
    for curve in equity_curves():
        for blocks in (2, 16):
            assert of.summaries(array("d", curve), blocks) == reference_summaries(curve, blocks), (len(curve), blocks)


def test_return_summaries_in_pyodide_are_the_native_bits(pyodide):
    # Pyodide runs Python 3.14, whose sum() of floats compensates (3.11's adds plainly): the
    # summaries are exact sums, so the kernel and the reference give the server's bits there too.
    code = ("import json, random\nfrom array import array\nfrom cracktrader.optimize import overfitting as of\n"
            + inspect.getsource(equity_curves) + inspect.getsource(reference_summaries)
            + "result = [[of.summaries(array('d', c), 16), reference_summaries(c, 16)] for c in equity_curves()]\n")
    expected = [of.summaries(array("d", c), 16) for c in equity_curves()]
    got = pyodide.run(code)
    assert got == json.loads(json.dumps([[e, e] for e in expected]))
