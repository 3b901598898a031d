"""The WASM build, run in Pyodide, gives bit-for-bit what the native build gives."""

import base64
import random
from array import array

import pytest

import cracktrader.kernels as k
from cracktrader import synthetic

NAN = float("nan")


def vectors():
    """(series, period) cases: random walks of several lengths, NaN/inf holes, edge periods."""
    rng = random.Random(2024)
    cases = []
    for length in (1, 2, 7, 100, 1000, 100_000):
        x = synthetic.random_walk(length, seed=length)
        for n in sorted({1, length, max(1, length // 3), min(length, 20)}):
            cases.append((x, n))
    holes = array("d", synthetic.random_walk(500, seed=9))
    for i in rng.sample(range(500), 25):
        holes[i] = rng.choice([NAN, float("inf"), float("-inf")])
    cases += [(holes, 1), (holes, 3), (holes, 50), (holes, 500)]
    return cases


def test_pyodide_runs_the_wasm_backend(pyodide):
    assert pyodide.run("import cracktrader.kernels as k; result = k.backend") == "wasm"
    assert pyodide.python.startswith("3.")


def test_sma_bit_identical_native_and_wasm(pyodide):
    cases = vectors()
    code = (
        "import base64\nfrom array import array\nimport cracktrader.kernels as k\n"
        f"cases = {[(base64.b64encode(x.tobytes()).decode(), n) for x, n in cases]!r}\n"
        "result = [k.sma(array('d', base64.b64decode(x)), n).tobytes().hex() for x, n in cases]\n"
    )
    got = pyodide.run(code)
    assert len(got) == len(cases)
    for (x, n), wasm_hex in zip(cases, got):
        assert wasm_hex == k.sma(x, n).tobytes().hex(), f"len={len(x)} n={n}"


def test_streaming_bit_identical_native_and_wasm(pyodide):
    x = synthetic.random_walk(300, seed=3)
    code = (
        "from array import array\nimport cracktrader.kernels as k\nfrom cracktrader import synthetic\n"
        "s = k.Sma(14)\nx = synthetic.random_walk(300, seed=3)\n"
        "result = array('d', [s.update(v) for v in x]).tobytes().hex()\n"
    )
    s = k.Sma(14)
    assert pyodide.run(code) == array("d", [s.update(v) for v in x]).tobytes().hex()


@pytest.mark.parametrize(
    "call",
    ["k.sma([1.0, 2.0], 3)", "k.sma([1.0, 2.0], 0)", "k.sma([], 1)", "k.sma('12', 1)",
     "k.sma([1.0, 2.0], 1.5)", "k.sma(None, 1)", "k.Sma(-1)", "k.sma([1.0], 2**70)"],
)
def test_same_errors_in_both_builds(pyodide, call):
    with pytest.raises(Exception) as native:
        eval(call, {"k": k})
    code = (
        "import cracktrader.kernels as k\n"
        f"try:\n    {call}\n    result = None\n"
        "except Exception as e:\n    result = [type(e).__name__, str(e)]\n"
    )
    assert pyodide.run(code) == [type(native.value).__name__, str(native.value)]


def test_synthetic_series_identical(pyodide):
    code = "from cracktrader import synthetic\nresult = synthetic.random_walk(5000, seed=7).tobytes().hex()"
    assert pyodide.run(code) == synthetic.random_walk(5000, seed=7).tobytes().hex()
