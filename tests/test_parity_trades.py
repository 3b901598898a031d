"""Candles from trades give the same bars, bit for bit, and the same errors in Pyodide (WASM)
as natively, in the batch and the streaming form."""

import hashlib
import json

import pytest

from cracktrader.kernels import trades as native
from test_kernels_trades import MIN, columns, random_trades

# The same probe runs in Pyodide (WASM kernels) and here (native): it reads t, p, a and CALLS.
PROBE = """
import hashlib
from cracktrader.kernels import CandleBuilder, candles_from_trades
def digest(cols):
    return [hashlib.sha256(memoryview(c).cast("B")).hexdigest() for c in cols]
result = {"batch": [digest(candles_from_trades(t, p, a, tf, t[-1] + 5 * tf)) for tf in (1000, 60_000, 604_800_000)]}
b = CandleBuilder(60_000)
stream = []
for i in range(len(t)):
    if i % 5 == 0:
        stream += b.advance(t[i] - 1)
    stream += b.update(t[i], p[i], a[i])
stream.append(b.forming())
result["stream"] = hashlib.sha256(repr(stream).encode()).hexdigest()
result["errors"] = []
for call in CALLS:
    try:
        eval(call)
        result["errors"].append(None)
    except Exception as e:
        result["errors"].append([type(e).__name__, str(e)])
"""
RUN = """
import json
from array import array
t, p, a = (array(code, values) for code, values in zip("qdd", json.loads(TRADES)))
""" + PROBE + """
result
"""

CALLS = [
    "candles_from_trades([2, 1], [1.0, 1.0], [1.0, 1.0], 60_000)",
    "candles_from_trades([1], [float('nan')], [1.0], 60_000)",
    "candles_from_trades([1], [1.0], [0.0], 60_000)",
    "candles_from_trades([1, 2], [1.0], [1.0], 60_000)",
    "candles_from_trades([1], [1.0], [1.0], 0)",
    "candles_from_trades([1], [1.0], [1.0], 60_000.0)",
    "candles_from_trades('x', [1.0], [1.0], 60_000)",
    "CandleBuilder(-5)",
    "CandleBuilder(60_000).update(1.5, 1.0, 1.0)",
    "CandleBuilder(60_000).update(1, 'x', 1.0)",
    "CandleBuilder(60_000).forming()",
]


def run_native(t, p, a):
    namespace = {"t": t, "p": p, "a": a, "CALLS": CALLS}
    exec(PROBE, namespace)  # noqa: S102 - the probe above, with the native kernels
    return namespace["result"]


def test_same_bars_and_errors_in_pyodide(pyodide):
    t, p, a = columns(random_trades(3_000, seed=11))
    want = run_native(t, p, a)
    assert want["errors"][-1] is None and all(want["errors"][:-1])
    trades = json.dumps([list(t), list(p), list(a)])
    got = pyodide.run(f"TRADES = {json.dumps(trades)}\nCALLS = {CALLS!r}\n" + RUN)
    assert got == want


@pytest.mark.parametrize("interval", [MIN])
def test_batch_equals_stream_natively(interval):
    # the parity above compares each form across builds; this ties the two forms together here
    t, p, a = columns(random_trades(2_000, seed=12))
    b = native.CandleBuilder(interval)
    bars = [bar for i in range(len(t)) for bar in b.update(t[i], p[i], a[i])] + [b.forming()]
    cols = native.candles_from_trades(t, p, a, interval)
    assert [list(x) for x in bars] == [list(r) for r in zip(*(memoryview(c).tolist() for c in cols))]
