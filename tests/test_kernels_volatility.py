"""Volatility indicators and channels: where they differ from TA-Lib, and what the oracle
comparison (test_kernels_oracle.py) does not show."""

import numpy as np
import pytest
import talib

import cracktrader.kernels as k
from support.indicators import same_bits, synthetic


def test_natr_of_period_one_is_normalized_too():
    # TA-Lib returns the plain true range for n = 1; here it is 100 * TR / close like any n.
    bars = synthetic(300, 12)
    h, l, c = bars["high"], bars["low"], bars["close"]
    want = 100 * talib.TRANGE(h, l, c) / c
    assert np.allclose(k.natr(h, l, c, 1)[1:], want[1:], rtol=1e-14)


def test_bands_are_the_sma_plus_and_minus_stddev_exactly():
    x = synthetic(400, 13)["close"]
    upper, middle, lower = k.bbands(x, 20, 2.0, 1.5)
    assert same_bits(middle, k.sma(x, 20))
    assert same_bits(upper, np.array(k.sma(x, 20)) + np.array(k.stddev(x, 20, 2.0)))
    assert same_bits(lower, np.array(k.sma(x, 20)) - np.array(k.stddev(x, 20, 1.5)))


def test_stddev_stays_accurate_on_high_prices_with_small_moves():
    x = [65_000.0 + 0.01 * ((i * 7) % 13) for i in range(5000)]
    got = k.stddev(x, 20, 1.0)
    for i in (19, 2500, 4999):
        w = np.array(x[i - 19 : i + 1])
        assert got[i] == pytest.approx(np.sqrt(np.mean((w - w.mean()) ** 2)), rel=1e-9)


def test_flat_windows_have_zero_width():
    x = [1000.0 + i**0.5 for i in range(40)] + [1234.567] * 12
    upper, middle, lower = k.bbands(x, 5)
    assert list(k.stddev(x, 5)[44:]) == [0.0] * 8
    assert list(upper[44:]) == list(middle[44:]) == list(lower[44:])


def test_keltner_warms_up_for_its_longer_part():
    bars = synthetic(100, 14)
    for n, atr_n, nans in ((20, 10, 19), (5, 14, 14)):
        upper, middle, lower = k.keltner(bars["high"], bars["low"], bars["close"], n, 2.0, atr_n)
        assert np.isnan(middle[:nans]).all() and not np.isnan(middle[nans:]).any()
