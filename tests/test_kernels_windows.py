"""Windows and crossings: what the oracle comparison (test_kernels_oracle.py) does not show."""

import math

import cracktrader.kernels as k


def test_a_touch_then_a_cross_counts_once():
    a = [1.0, 2.0, 2.0, 3.0, 2.0, 1.0, 1.0]
    b = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0]
    assert list(k.crossover(a, b)[1:]) == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert list(k.crossunder(a, b)[1:]) == [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]


def test_window_of_the_whole_series():
    x = [3.0, 9.0, 1.0, 4.0]
    assert k.max(x, 4)[3] == 9.0 and k.min(x, 4)[3] == 1.0 and k.sum(x, 4)[3] == 17.0
    assert all(math.isnan(v) for v in k.max(x, 4)[:3])
