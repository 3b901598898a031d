"""Return summaries (wasm/src/returns.rs) on Pyodide, with the native build's signature."""

from array import array

from ._wasm_ffi import call, column, integer, js_kernels
from ._wasm_ohlcv import _Memory


def return_summaries(equity, blocks):
    equity = column("return_summaries", "equity", equity)
    memory = _Memory()
    try:
        out = call(js_kernels.return_summaries, memory.put(equity), len(equity), integer(blocks))
    finally:
        memory.free()
    result = array("d", bytes(8 * out.length))
    out.assign_to(result)
    return result
