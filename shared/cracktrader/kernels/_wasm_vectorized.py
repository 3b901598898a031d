"""The vectorized signal simulator on Pyodide, with the native build's signature and results.

The market's columns are copied into the WASM module once per `SignalSim`; each column's
signals are copied in for its call (as float64 or one byte per value), the results copied out.
"""

from array import array

from js import Float64Array, Uint8Array

from ._wasm_ffi import call, column, js_kernels
from ._wasm_ohlcv import _copy_out, _int64_column, _Memory

VECTORIZED_REASONS = tuple(js_kernels.vectorized_reasons())
VECTORIZED_FIELDS = tuple(int(x) for x in js_kernels.vectorized_fields())
_KINDS = {"d": 0, "?": 1, "B": 1, "b": 2}


def _signals(name, x):
    """(buffer, kind) of a signal column: one-byte buffers as they are, the rest as float64."""
    try:
        view = memoryview(x)
    except TypeError:
        view = None
    if view is not None and view.ndim == 1 and view.c_contiguous and view.format in ("?", "B", "b"):
        return view, _KINDS[view.format]
    return column("vectorized", name, x), 0


def _floats(js_array):
    """A Float64Array as array('d')."""
    out = array("d", bytes(8 * js_array.length))
    js_array.assign_to(out)
    return out


class SignalSim:
    __slots__ = ("_js", "_n")

    def __init__(self, time, open, high, low, close, *, cash, maker, taker, fixed, bps, range, at_close, policy,
                 leverage, rules=None):
        time = _int64_column("SignalSim", "time", time)
        prices = [column("SignalSim", name, x) for name, x in zip(("open", "high", "low", "close"), (open, high, low, close))]
        n = len(time)
        for name, x in zip(("open", "high", "low", "close"), prices):
            if len(x) != n:
                raise ValueError(f"vectorized: {name} has {len(x)} values but time has {n}")
        memory = _Memory()
        try:
            ptrs = [memory.put(c) for c in (time, *prices)]
            self._js = call(js_kernels.SignalSim.new, *ptrs, n, float(cash), float(maker), float(taker), float(fixed),
                            float(bps), float(range), bool(at_close), float(policy), float(leverage))
        finally:
            memory.free()
        self._n = n
        if rules is not None:
            self._js.set_rules(rules._js)

    def _call(self, method, spec, entries, exits):
        (e, ekind), (x, xkind) = _signals("entries", entries), _signals("exits", exits)
        for name, col in (("entries", e), ("exits", x)):
            if len(col) != self._n:
                raise ValueError(f"vectorized: {name} has {len(col)} values, the market has {self._n} bars")
        memory = _Memory()
        try:
            numbers, kinds = Float64Array.new(len(spec)), Uint8Array.new(2)
            numbers.assign(array("d", spec))
            kinds.assign(bytes((ekind, xkind)))
            return call(method, numbers, memory.put(e), memory.put(x), self._n, kinds)
        finally:
            memory.free()

    def run(self, spec, entries, exits):
        out = self._call(self._js.run, spec, entries, exits)
        try:
            return (_copy_out(out.equity_ptr(), out.equity_len(), "d"), _copy_out(out.trades_ptr(), out.trades_len(), "d"),
                    _copy_out(out.orders_ptr(), out.orders_len(), "d"), _floats(out.measures()))
        finally:
            out.free()

    def measure(self, columns):
        records = array("d")
        for spec, entries, exits in columns:
            records.extend(_floats(self._call(self._js.measure, spec, entries, exits)))
        return records

    def __del__(self):
        if hasattr(self, "_js"):
            self._js.free()

