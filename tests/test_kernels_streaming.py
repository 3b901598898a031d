"""Every streaming state gives, bar by bar, bit for bit what its batch kernel gives: randomized
sweeps over lengths, parameters, price scales, flat stretches, NaN and infinite values."""

import random
import zlib
from array import array

import numpy as np
import pytest

import cracktrader.kernels as k
from support.indicators import COLUMN_OF, SPECS, call, random_case, random_series, same_bits


def stream(spec, cols, params):
    """Feed the columns bar by bar; one list per output."""
    state = getattr(k, spec.stream_class)(*params)
    rows = [state.update(*bar) for bar in zip(*cols.values())]
    if spec.n_outputs == 1:
        return [rows]
    assert all(isinstance(r, tuple) and len(r) == spec.n_outputs for r in rows)
    return [[r[i] for r in rows] for i in range(spec.n_outputs)]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_streaming_is_bit_identical_to_batch(spec):
    rng = random.Random(zlib.crc32(spec.name.encode()))
    for trial in range(60):
        cols, params = random_case(spec, rng)
        batch = call(k, spec, cols, params)
        for i, (b, s) in enumerate(zip(batch, stream(spec, cols, params))):
            assert same_bits(b, s), f"{spec.name}{params} trial {trial} output {i}: stream differs from batch"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_long_clean_series_with_one_gap(spec):
    """Thousands of finite bars, then a gap: the batch drivers' fast paths over whole finite
    chunks, and their fall-back after the gap, give what the stream gives."""
    rng = random.Random(zlib.crc32(spec.name.encode()) ^ 1)
    bars = random_series(rng, 9000, holes=0)
    for name in bars:
        bars[name][6001] = float("nan")
    cols = {name: bars[COLUMN_OF[name]] for name in spec.inputs}
    for params in spec.cases:
        batch = call(k, spec, cols, params)
        for i, (b, s) in enumerate(zip(batch, stream(spec, cols, params))):
            assert same_bits(b, s), f"{spec.name}{params} output {i}: stream differs from batch"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_input_form_gives_the_same_bits(spec):
    rng = random.Random(7)
    cols, params = random_case(spec, rng, max_length=200)
    want = call(k, spec, cols, params)
    forms = {
        "array('d')": lambda c: array("d", c),
        "memoryview": lambda c: memoryview(array("d", c)),
        "numpy": lambda c: np.array(c, dtype=np.float64),
        "numpy strided": lambda c: np.repeat(np.array(c, dtype=np.float64), 2)[::2],
        "tuple": tuple,
    }
    for form, convert in forms.items():
        got = call(k, spec, {n: convert(c) for n, c in cols.items()}, params)
        for g, w in zip(got, want):
            assert isinstance(g, array) and g.typecode == "d" and len(g) == len(w), form
            assert same_bits(g, w), form


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_restart_makes_a_gap_a_fresh_start(spec):
    """After a non-finite bar the outputs are those of the series starting after it."""
    rng = random.Random(99)
    bars = random_series(rng, 121, holes=0)
    cols = {name: bars[COLUMN_OF[name]] for name in spec.inputs}
    params = spec.random_params(rng, 50)  # periods that fit in the 60 bars after the gap
    holed = {n: c[:60] + [float("nan")] + c[61:] for n, c in cols.items()}
    tail = {n: c[61:] for n, c in cols.items()}
    for g, f in zip(call(k, spec, holed, params), call(k, spec, tail, params)):
        assert g[60] != g[60]  # NaN at the gap
        assert same_bits(g[61:], f)
