"""The native SMA kernel against the pure-Python reference, its errors, and its stream form."""

import math
import random
from array import array

import pytest

import cracktrader.kernels as k
from support import reference

NAN = float("nan")


def assert_close(got, want, rel=1e-12):
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        if math.isnan(w):
            assert math.isnan(g), f"index {i}: got {g}, want NaN"
        else:
            assert g == pytest.approx(w, rel=rel, abs=1e-12), f"index {i}"


def same_bits(a, b):
    return array("d", a).tobytes() == array("d", b).tobytes()


def random_series(rng, length, nan_rate=0.0):
    price, out = rng.uniform(1e-3, 1e5), []
    for _ in range(length):
        price *= 1 + rng.uniform(-0.05, 0.05)
        out.append(NAN if rng.random() < nan_rate else price)
    return out


def test_backend_is_native():
    assert k.backend == "native"


@pytest.mark.parametrize("seed", range(40))
def test_matches_reference_on_random_data(seed):
    rng = random.Random(seed)
    length = rng.randint(1, 400)
    x = random_series(rng, length, nan_rate=rng.choice([0, 0, 0.02, 0.2]))
    for n in {1, length, rng.randint(1, length)}:
        assert_close(k.sma(array("d", x), n), reference.sma(x, n))


def test_edge_periods():
    x = array("d", [3.0, 1.0, 4.0, 1.0, 5.0])
    assert list(k.sma(x, 1)) == list(x)
    whole = k.sma(x, 5)
    assert all(math.isnan(v) for v in whole[:4]) and whole[4] == pytest.approx(2.8)


def test_nan_and_inf_only_poison_their_windows():
    out = k.sma([1.0, NAN, 3.0, math.inf, 5.0, 6.0, 7.0], 2)
    assert [math.isnan(v) for v in out] == [True, True, True, True, True, False, False]
    assert list(out[5:]) == [5.5, 6.5]


def test_output_is_array_d_of_input_length():
    out = k.sma(memoryview(array("d", [1.0, 2.0, 3.0])), 2)
    assert isinstance(out, array) and out.typecode == "d" and len(out) == 3


def test_long_series_stays_accurate():
    rng = random.Random(5)
    x = random_series(rng, 200_000)
    got = k.sma(array("d", x), 50)
    for i in (49, 1000, 123_456, 199_999):
        assert got[i] == pytest.approx(math.fsum(x[i - 49 : i + 1]) / 50, rel=1e-12)


@pytest.mark.parametrize(
    "x, n, error, message",
    [
        ([1.0, 2.0], 3, ValueError, "sma: n=3 is longer than the series (2 values)"),
        ([1.0, 2.0], 0, ValueError, "sma: n must be >= 1, got 0"),
        ([1.0, 2.0], -5, ValueError, "sma: n must be >= 1, got -5"),
        ([], 1, ValueError, "sma: n=1 is longer than the series (0 values)"),
        ("12", 1, TypeError, "sma: x must be a float64 buffer"),
        (b"12", 1, TypeError, "sma: x must be a float64 buffer"),
        ([1.0, "a"], 1, TypeError, "sma: x must be a float64 buffer"),
        (None, 1, TypeError, "got NoneType"),
        ([1.0, 2.0], 1.5, TypeError, "cannot be interpreted as an integer"),
    ],
)
def test_bad_arguments_raise_clear_errors(x, n, error, message):
    with pytest.raises(error) as info:
        k.sma(x, n)
    assert message in str(info.value)


def test_streaming_is_bit_identical_to_batch():
    rng = random.Random(11)
    for _ in range(50):
        x = random_series(rng, rng.randint(1, 300), nan_rate=0.05)
        n = rng.randint(1, len(x))
        stream = k.Sma(n)
        assert same_bits([stream.update(v) for v in x], k.sma(x, n))
    with pytest.raises(ValueError, match="n must be >= 1"):
        k.Sma(0)
