"""The WASM build, run in Pyodide, gives bit for bit what the native build gives: every kernel on
shared vectors, every streaming class, every bad-argument error, every signature, the catalog. Each test is
one Pyodide round trip carrying all kernels (base64 in, SHA-256 digests out)."""

import base64
import hashlib
import inspect
import json
import random
from array import array

import pytest

import cracktrader.kernels as k
from cracktrader import _native, synthetic
from cracktrader.kernels.catalog import CATALOG
from support.indicators import COLUMN_OF, SPECS, LENGTH, bad_calls, call, outcome, random_case, random_series

NAN = float("nan")


def encode(values):
    return base64.b64encode(array("d", values).tobytes()).decode()


def digest(outputs):
    return [hashlib.sha256(array("d", o).tobytes()).hexdigest() for o in outputs]


def vectors():
    """(kernel, {input: base64 column}, params): each spec's test parameters on a long series
    with NaN and infinite holes and on a longer clean one with one gap, random parameters on
    random short series, edge periods."""
    rng = random.Random(2024)
    long = random_series(rng, 3000)
    # Clean for thousands of bars, then one gap: the batch drivers' fast paths over whole
    # finite chunks (MOM's are 4096 bars) and their fall-back after the first gap.
    clean = random_series(rng, 9000, holes=0)
    clean["close"][6001] = NAN
    cases = []
    for spec in SPECS:
        cols = {name: long[COLUMN_OF[name]] for name in spec.inputs}
        for params in spec.cases:
            cases.append((spec, cols, params))
        cases.append((spec, {name: clean[COLUMN_OF[name]] for name in spec.inputs}, spec.cases[0]))
        for _ in range(6):
            cases.append((spec, *random_case(spec, rng)))
        length = rng.randint(spec.min_length, 40)
        short = {name: random_series(rng, length, holes=0)[COLUMN_OF[name]] for name in spec.inputs}
        cases.append((spec, short, spec.random_params(rng, length)))
    return cases


RUN_KERNELS = """
import base64, hashlib, json
from array import array
import cracktrader.kernels as k
result = []
for name, cols, params in json.loads(CASES):
    out = getattr(k, name)(*[array('d', base64.b64decode(c)) for c in cols], *params)
    out = out if isinstance(out, tuple) else (out,)
    result.append([hashlib.sha256(o.tobytes()).hexdigest() for o in out])
"""


def test_pyodide_runs_the_wasm_backend(pyodide):
    assert pyodide.run("import cracktrader.kernels as k; result = k.backend") == "wasm"
    assert pyodide.python.startswith("3.")


def test_every_kernel_bit_identical_native_and_wasm(pyodide):
    cases = vectors()
    payload = json.dumps([(s.name, [encode(c) for c in cols.values()], list(p)) for s, cols, p in cases])
    got = pyodide.run(f"CASES = {payload!r}\n" + RUN_KERNELS)
    assert len(got) == len(cases)
    kernels = set()
    for (spec, cols, params), wasm in zip(cases, got):
        assert wasm == digest(call(k, spec, cols, params)), f"{spec.name}{params} on {len(next(iter(cols.values())))} bars"
        kernels.add(spec.name)
    assert kernels == {s.name for s in SPECS}


def test_every_streaming_class_bit_identical_native_and_wasm(pyodide):
    rng = random.Random(5)
    series = random_series(rng, 400)
    cases = [(s, {n: series[COLUMN_OF[n]] for n in s.inputs}, s.random_params(rng, 60)) for s in SPECS]
    payload = json.dumps([(s.stream_class, [encode(c) for c in cols.values()], list(p)) for s, cols, p in cases])
    code = f"CASES = {payload!r}\n" + """
import base64, hashlib, json
from array import array
import cracktrader.kernels as k
result = []
for cls, cols, params in json.loads(CASES):
    state = getattr(k, cls)(*params)
    rows = [state.update(*bar) for bar in zip(*[array('d', base64.b64decode(c)) for c in cols])]
    rows = [r if isinstance(r, tuple) else (r,) for r in rows]
    result.append([hashlib.sha256(array('d', column).tobytes()).hexdigest() for column in zip(*rows)])
"""
    got = pyodide.run(code)
    for (spec, cols, params), wasm in zip(cases, got):
        state = getattr(k, spec.stream_class)(*params)
        rows = [state.update(*bar) for bar in zip(*cols.values())]
        rows = [r if isinstance(r, tuple) else (r,) for r in rows]
        assert wasm == digest(zip(*rows)), f"{spec.stream_class}{params}"


def test_same_errors_in_both_builds(pyodide):
    """Same exception and message for every bad call, except calls with too many arguments:
    CPython and PyO3 word those differently ("takes 2 ... 3 were given" counting self, or not)."""
    calls = [code for spec in SPECS for code, _, _ in bad_calls(k, spec)]
    calls += ["k.sma([1.0, 2.0], 3)", "k.sma([], 1)", "k.sma([1.0], 2**70)", "k.macd([1.0] * 60, 26, 12, 9)",
              "k.sar([1.0] * 60, [1.0] * 60, 0.3, 0.2)", "k.Sma()", "k.sma([1.0])", "k.Sma(2).update()"]
    too_many = {code for spec in SPECS for code, _, message in bad_calls(k, spec) if ".update(" in code and message is None}
    x = [100.0 + random.Random(1).random() for _ in range(LENGTH)]
    code = f"CALLS = {json.dumps(calls)!r}\nX = {x!r}\n" + """
import json
from array import array
import cracktrader.kernels as k
result = []
for call in json.loads(CALLS):
    try:
        eval(call, {"k": k, "array": array, "x": list(X)})
        result.append(None)
    except Exception as e:
        result.append([type(e).__name__, str(e)])
"""
    got = pyodide.run(code)
    for call_code, wasm in zip(calls, got):
        native = outcome(call_code, {"k": k, "array": array, "x": list(x)})
        assert native[0] is not None, call_code
        if call_code in too_many:
            assert wasm[0] == native[0] == "TypeError", call_code
        else:
            assert wasm == list(native), call_code


def test_same_signatures_in_both_builds(pyodide):
    names = [s.name for s in SPECS] + [s.stream_class for s in SPECS]
    code = f"NAMES = {names!r}\n" + """
import inspect
import cracktrader.kernels as k
result = [str(inspect.signature(getattr(k, n))) for n in NAMES]
result += [str(inspect.signature(getattr(k, n).update)) for n in NAMES if n[0].isupper()]
"""
    native = [str(inspect.signature(getattr(k, n))) for n in names]
    native += [str(inspect.signature(getattr(k, n).update)).replace("(self, /, ", "(self, ") for n in names if n[0].isupper()]
    assert pyodide.run(code) == native


def test_same_catalog_in_both_builds(pyodide):
    wasm = pyodide.run("import _cracktrader_wasm as js\nresult = js.indicator_catalog()")
    assert wasm == _native.indicator_catalog()
    adapted = pyodide.run("from cracktrader.kernels.catalog import CATALOG\nresult = [str(s) for s in CATALOG]")
    assert adapted == [str(s) for s in CATALOG] and len(CATALOG) == len(SPECS)


def test_kernels_throw_js_errors_in_the_browser(pyodide):
    code = """
import _cracktrader_wasm as js
from pyodide.ffi import JsException
result = []
ptr = js.alloc_f64(3)
for attempt in (lambda: js.sma(ptr, 3, ptr, 0), lambda: js.atr(ptr, ptr, ptr, 3, ptr, 1.5), lambda: js.Rsi.new(-1)):
    try:
        attempt()
        result.append(None)
    except JsException as e:
        result.append([e.name, e.message])
js.free_f64(ptr, 3)
"""
    assert pyodide.run(code) == [
        ["Error", "sma: n must be >= 1, got 0"],
        ["Error", "atr: n must be an integer, got 1.5"],
        ["Error", "rsi: n must be >= 1, got -1"],
    ]


def test_synthetic_series_identical(pyodide):
    code = "from cracktrader import synthetic\nresult = synthetic.random_walk(5000, seed=7).tobytes().hex()"
    assert pyodide.run(code) == synthetic.random_walk(5000, seed=7).tobytes().hex()
