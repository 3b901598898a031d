"""Volume indicators: what the oracle comparison (test_kernels_oracle.py) does not show."""

import math

import cracktrader.kernels as k


def test_mfi_of_one_sided_flow_is_exactly_0_or_100():
    up = [1.0 + 0.1 * i for i in range(60)]
    v = [3.7] * 60
    assert set(k.mfi(up, up, up, v, 5)[5:]) == {100.0}
    down = up[::-1]
    assert set(k.mfi(down, down, down, v, 5)[5:]) == {0.0}


def test_mfi_ignores_typical_price_changes_below_representation_noise():
    # Two XRP 5m bars (2021-11) with equal typical prices in decimal, 3.2467 / 3, which
    # (h + l + c) / 3 rounds an ulp apart in binary.
    h, l, c = [1.0839, 1.0831, 1.0846], [1.0807, 1.0806, 1.0829], [1.0821, 1.083, 1.0841]
    assert (h[0] + l[0] + c[0]) / 3 != (h[1] + l[1] + c[1]) / 3
    assert list(k.mfi(h, l, c, [5.0, 5.0, 5.0], 1)[1:]) == [0.0, 100.0]


def test_vwap_of_a_window_without_volume_is_nan():
    p = [10.0, 20.0, 30.0, 40.0]
    out = k.vwap(p, p, p, [0.0, 0.0, 2.0, 2.0], 2)
    assert math.isnan(out[1]) and out[2] == 30.0 and out[3] == 35.0


def test_obv_restarts_from_the_volume_after_a_gap():
    out = k.obv([1.0, 2.0, float("nan"), 3.0, 2.0], [10.0, 5.0, 1.0, 7.0, 2.0])
    assert list(out[:2]) == [10.0, 15.0] and math.isnan(out[2]) and list(out[3:]) == [7.0, 5.0]
