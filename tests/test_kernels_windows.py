"""MAX, MIN, SUM against TA-Lib; crossings against tests/reference.py."""

import math

import pytest

import cracktrader.kernels as k
from support.indicators import check_gaps, check_oracle, family, oracle_cases

SPECS = family("windows")


@pytest.mark.parametrize("spec, params, data", oracle_cases(SPECS))
def test_matches_oracle(spec, params, data):
    check_oracle(k, spec, params, data)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_restarts_after_gaps(spec):
    for params in spec.cases:
        check_gaps(k, spec, params)


def test_a_touch_then_a_cross_counts_once():
    a = [1.0, 2.0, 2.0, 3.0, 2.0, 1.0, 1.0]
    b = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0]
    assert list(k.crossover(a, b)[1:]) == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert list(k.crossunder(a, b)[1:]) == [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]


def test_window_of_the_whole_series():
    x = [3.0, 9.0, 1.0, 4.0]
    assert k.max(x, 4)[3] == 9.0 and k.min(x, 4)[3] == 1.0 and k.sum(x, 4)[3] == 17.0
    assert all(math.isnan(v) for v in k.max(x, 4)[:3])
