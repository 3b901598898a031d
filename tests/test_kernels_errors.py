"""Bad arguments to every kernel and streaming class raise a ValueError or TypeError that names
the kernel, the argument and the problem; nothing panics."""

import random
from array import array

import numpy as np
import pytest

import cracktrader.kernels as k
from support.indicators import LENGTH, SPECS, bad_calls, outcome

NAMESPACE = {"k": k, "array": array, "x": [100.0 + random.Random(1).random() for _ in range(LENGTH)]}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_bad_arguments_raise_clear_errors(spec):
    calls = bad_calls(k, spec)
    assert len(calls) >= 10
    for code, error, message in calls:
        got_error, got_message = outcome(code, dict(NAMESPACE))
        assert got_error == error, f"{code}: raised {got_error} {got_message!r}, expected {error}"
        if message is not None:
            assert got_message == message, code


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_numpy_buffers_of_other_types_are_refused(spec):
    x = np.linspace(1, 2, LENGTH)
    for dtype, fmt in ((np.float32, "f"), (np.int64, "l")):
        cols = [x] * len(spec.inputs)
        cols[-1] = x.astype(dtype)
        with pytest.raises(TypeError, match=f"{spec.name}: {spec.inputs[-1]} must hold float64 values, got a buffer of '{fmt}'"):
            getattr(k, spec.name)(*cols, *spec.cases[0])
    with pytest.raises(TypeError, match="must be a float64 buffer"):
        getattr(k, spec.name)(*[np.ones((LENGTH, 2))] * len(spec.inputs), *spec.cases[0])


def test_relations_between_parameters():
    x = [1.0] * LENGTH
    with pytest.raises(ValueError, match="^macd: fast=26 must not be longer than slow=12$"):
        k.macd(x, 26, 12, 9)
    with pytest.raises(ValueError, match="^macd: fast=26 must not be longer than slow=12$"):
        k.Macd(26, 12, 9)
    with pytest.raises(ValueError, match="^sar: acceleration=0.3 must not exceed maximum=0.2$"):
        k.sar(x, x, 0.3, 0.2)
    with pytest.raises(ValueError, match="^sar: maximum must be a finite number, got inf$"):
        k.Sar(0.02, float("inf"))


def test_empty_series():
    assert len(k.trange([], [], [])) == 0 and len(k.obv([], [])) == 0 and len(k.crossover([], [])) == 0
    with pytest.raises(ValueError, match="^rsi: n=14 is longer than the series \\(0 values\\)$"):
        k.rsi([])


def test_float64_buffers_pyo3_cannot_borrow_are_copied_not_refused():
    # An empty array('d') has no data pointer, a bytes slice at an odd offset is unaligned.
    assert len(k.trange(array("d"), array("d"), array("d"))) == 0
    raw = bytes(1) + array("d", [1.0, 2.0, 3.0, 4.0]).tobytes()
    unaligned = memoryview(raw)[1:].cast("d")
    assert list(k.sma(unaligned, 2)[1:]) == [1.5, 2.5, 3.5]
