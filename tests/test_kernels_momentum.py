"""Oscillators and momentum: what the oracle comparison (test_kernels_oracle.py) does not show."""

import pytest

import cracktrader.kernels as k
from support.indicators import synthetic


def test_rsi_repeats_itself_exactly_while_the_price_stands_still():
    x = list(synthetic(60, 8)["close"]) + [123.456] * 20
    r = k.rsi(x, 14)
    assert len({v for v in r[61:]}) == 1 and r[61] == r[60]


def test_stochrsi_over_a_flat_rsi_is_zero_not_rounding_noise():
    x = list(synthetic(60, 8)["close"]) + [123.456] * 20
    fastk, _ = k.stochrsi(x, 14, 5, 3)
    # Five bars after the price stops, the RSI window is flat: range 0 gives 0, as in TA-Lib.
    assert list(fastk[65:]) == [0.0] * 15


def test_macd_with_equal_periods_is_flat_zero():
    x = synthetic(200, 9)["close"]
    m, s, h = k.macd(x, 10, 10, 5)
    assert set(m[13:]) == {0.0} and set(h[13:]) == {0.0}


def test_trix_of_steady_growth_is_the_growth_rate():
    x = [100 * 1.01**i for i in range(200)]
    assert k.trix(x, 10)[-1] == pytest.approx(1.0, rel=1e-9)


def test_aroon_ties_go_to_the_latest_bar():
    high = [5.0, 7.0, 6.0, 7.0, 1.0]
    low = [4.0, 3.0, 5.0, 5.0, 0.5]
    down, up = k.aroon(high, low, 2)
    assert list(up[2:]) == [50.0, 100.0, 50.0]
    assert list(down[2:]) == [50.0, 0.0, 100.0]
