"""Calling the WASM kernels from Pyodide: the wasm-bindgen module `_cracktrader_wasm`.

Columns are copied into the module's memory with `Float64Array.assign` and back with
`assign_to` (about 1 ms per million values each way); a JS `Error` thrown by a kernel becomes
the same `ValueError` the native build raises, with the same message.
"""

import operator
from array import array

import _cracktrader_wasm as js_kernels  # registered by the page: pyodide.registerJsModule
from js import Float64Array
from pyodide.ffi import JsException


_ZERO = array("d", [0.0])
_FLOAT64 = {"d", "@d", "=d", "<d"}  # float64 in the byte order of every platform we run on


def column(kernel, name, x):
    """x as a float64 buffer that `assign` accepts (copied only when it is not one already),
    or TypeError naming the argument, accepting exactly what the native build accepts."""
    if isinstance(x, array) and x.typecode == "d":
        return x
    if isinstance(x, (str, bytes, bytearray)):
        raise _type_error(kernel, name, x)
    try:
        view = memoryview(x)
    except TypeError:
        view = None
    if view is not None:
        if view.format not in _FLOAT64:
            raise TypeError(f"{kernel}: {name} must hold float64 values, got a buffer of '{view.format}'")
        if view.ndim == 1 and view.c_contiguous:
            return view
    try:
        return array("d", x)
    except (TypeError, ValueError, OverflowError):
        raise _type_error(kernel, name, x) from None


def _type_error(kernel, name, x):
    return TypeError(
        f"{kernel}: {name} must be a float64 buffer (array('d'), memoryview, numpy float64) "
        f"or a sequence of numbers, got {type(x).__name__}"
    )


def integer(n):
    """An int parameter, accepted and refused exactly as PyO3 does for an i64."""
    n = operator.index(n)
    if not -(2**63) <= n < 2**63:
        raise OverflowError("Python int too large to convert to C long")
    return n


def real(v):
    """A float parameter or bar value, accepted and refused exactly as PyO3 does for an f64."""
    if isinstance(v, float):
        return float(v)
    if hasattr(type(v), "__float__") or hasattr(type(v), "__index__"):
        return float(v)
    raise TypeError(f"must be real number, not {type(v).__name__}")


def call(fn, *args):
    try:
        return fn(*args)
    except JsException as e:
        raise ValueError(str(e.message)) from None


def run(fn, inputs, n_outputs, params):
    """Copy input columns into WASM memory, run `fn(in_ptrs.., len, out_ptrs.., params..)`,
    copy the outputs out, free everything."""
    length = len(inputs[0])
    ptrs = [js_kernels.alloc_f64(length) for _ in range(len(inputs) + n_outputs)]
    try:
        memory = js_kernels.wasm_memory().buffer  # after the last allocation: growth detaches views
        for ptr, column in zip(ptrs, inputs):
            Float64Array.new(memory, ptr, length).assign(column)
        call(fn, *ptrs[: len(inputs)], length, *ptrs[len(inputs) :], *params)
        memory = js_kernels.wasm_memory().buffer
        outputs = []
        for ptr in ptrs[len(inputs) :]:
            out = _ZERO * length  # the quickest array('d') of a given length (half of bytes())
            Float64Array.new(memory, ptr, length).assign_to(out)
            outputs.append(out)
        return outputs[0] if n_outputs == 1 else tuple(outputs)
    finally:
        for ptr in ptrs:
            js_kernels.free_f64(ptr, length)
