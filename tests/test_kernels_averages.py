"""Moving averages: what the oracle comparison (test_kernels_oracle.py) does not show."""

import math
from array import array

import numpy as np
import pytest

import cracktrader.kernels as k
from support.indicators import same_bits, synthetic


@pytest.mark.parametrize("name", ["sma", "ema", "wma", "dema", "tema", "trima", "kama", "smma"])
def test_period_one_is_the_input(name):
    x = array("d", synthetic(50, 5)["close"])
    assert same_bits(getattr(k, name)(x, 1), x)


@pytest.mark.parametrize("name", ["sma", "wma", "trima"])
def test_long_series_stay_accurate_as_prices_collapse(name):
    # From 1e6 down to ~1e-6 over 200k bars: running sums that never re-anchor end up wrong by
    # orders of magnitude (TA-Lib's SMA among them).
    x = [1e6 * 0.99993**i * (1 + 0.01 * (i % 7)) for i in range(200_000)]
    n = 30
    weights = {"sma": [1] * n, "wma": list(range(1, n + 1)), "trima": [min(j + 1, n - j) for j in range(n)]}[name]
    got = getattr(k, name)(x, n)
    for i in (n - 1, 123_456, 199_999):
        window = x[i - n + 1 : i + 1]
        direct = math.fsum(w * v for w, v in zip(weights, window)) / sum(weights)
        assert got[i] == pytest.approx(direct, rel=1e-12)


def test_smma_is_the_smoothing_inside_atr():
    """The same recursion and seed; ATR evaluates it four bars apart (docs/indicators.md), so
    they agree to a few ulps, and to the bit on the seed."""
    bars = synthetic(5000, 6)
    tr = k.trange(bars["high"], bars["low"], bars["close"])
    atr, smma = np.asarray(k.atr(bars["high"], bars["low"], bars["close"], 14))[1:], np.asarray(k.smma(tr[1:], 14))
    assert same_bits(atr[:14], smma[:14])
    np.testing.assert_allclose(atr, smma, rtol=1e-14)


def test_ema_and_smma_seed_with_the_mean_summed_in_order_as_ta_lib_does():
    x = list(synthetic(100, 7)["close"])
    assert k.ema(x, 20)[19] == sum(x[:20]) / 20
    assert k.smma(x, 20)[19] == sum(x[:20]) / 20
