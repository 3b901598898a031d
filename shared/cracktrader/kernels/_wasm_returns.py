"""A run's per-bar returns (wasm/src/returns.rs) on Pyodide, with the native build's signatures."""

from array import array

from ._wasm_ffi import call, column, integer, js_kernels
from ._wasm_ohlcv import _int64_column, _Memory


def _floats(out):
    result = array("d", bytes(8 * out.length))
    out.assign_to(result)
    return result


def return_summaries(equity, blocks):
    equity = column("return_summaries", "equity", equity)
    memory = _Memory()
    try:
        return _floats(call(js_kernels.return_summaries, memory.put(equity), len(equity), integer(blocks)))
    finally:
        memory.free()


def curve_measures(time, equity):
    time, equity = _int64_column("curve_measures", "time", time), column("curve_measures", "equity", equity)
    if not len(equity) or len(time) != len(equity):
        raise ValueError("curve_measures: time and equity must have the same length, at least one bar")
    memory = _Memory()
    try:
        out = _floats(call(js_kernels.curve_measures, memory.put(time), memory.put(equity), len(equity)))
    finally:
        memory.free()
    return (*out[:4], int(out[4]), int(out[5]))


def versus_sums(equity, benchmark):
    equity, benchmark = column("versus_sums", "equity", equity), column("versus_sums", "benchmark", benchmark)
    if len(equity) != len(benchmark):
        raise ValueError("versus sums: equity and benchmark must have the same length")
    memory = _Memory()
    try:
        return tuple(_floats(call(js_kernels.versus_sums, memory.put(equity), memory.put(benchmark), len(equity))))
    finally:
        memory.free()
