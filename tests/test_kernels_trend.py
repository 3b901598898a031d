"""Trend indicators: where they differ from TA-Lib, and what the oracle comparison
(test_kernels_oracle.py) does not show."""

from fractions import Fraction

import numpy as np
import talib

import cracktrader.kernels as k
from support.indicators import synthetic


def test_directional_indicators_of_period_one_are_in_percent():
    # TA-Lib returns +DM/TR unscaled for n = 1 only; here every period gives percent.
    bars = synthetic(300, 10)
    h, l, c = bars["high"], bars["low"], bars["close"]
    plus = k.plus_di(h, l, c, 1)
    want = talib.PLUS_DI(h, l, c, 1) * 100
    assert np.allclose(plus[1:], want[1:], rtol=1e-12, atol=1e-12)
    minus = k.minus_di(h, l, c, 1)
    assert np.allclose(minus[1:], talib.MINUS_DI(h, l, c, 1)[1:] * 100, rtol=1e-12, atol=1e-12)


def test_slope_is_closer_to_exact_than_ta_lib_on_high_prices():
    c = synthetic(600, 11, price=60_000.0, move=0.001)["close"]
    n = 14
    ours, theirs = k.linearreg_slope(c, n), talib.LINEARREG_SLOPE(c, n)
    worst_ours = worst_theirs = 0.0
    t = [Fraction(j) for j in range(n)]
    for i in range(n - 1, 600, 17):
        y = [Fraction(v) for v in c[i - n + 1 : i + 1]]
        tm, ym = sum(t) / n, sum(y) / n
        exact = sum((a - tm) * (b - ym) for a, b in zip(t, y)) / sum((a - tm) ** 2 for a in t)
        worst_ours = max(worst_ours, abs(float(Fraction(ours[i]) - exact)) / float(ym))
        worst_theirs = max(worst_theirs, abs(float(Fraction(theirs[i]) - exact)) / float(ym))
    assert worst_ours < 1e-16 < worst_theirs


def test_slope_of_a_flat_window_is_exactly_zero():
    x = [100.0 + 0.37 * i for i in range(40)] + [0.1] * 30
    assert list(k.linearreg_slope(x, 10)[49:]) == [0.0] * 21


def test_sar_reverses_when_price_crosses_it():
    up = [10.0 + i for i in range(15)]
    down = [up[-1] - 2.0 * i for i in range(1, 16)]
    high = [v + 0.5 for v in up + down]
    low = [v - 0.5 for v in up + down]
    s = k.sar(high, low, 0.02, 0.2)
    below = [s[i] <= low[i] for i in range(1, 30)]
    assert below[:14] == [True] * 14 and not any(below[16:])  # long, then short after the turn
