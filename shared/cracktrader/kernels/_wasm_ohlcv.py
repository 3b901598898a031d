"""Candle-series kernels on Pyodide, with the signatures, results and errors of the native build.

Inputs are copied into the WASM module's memory as raw bytes (any buffer: array('q'),
array('d'), bytes), results copied out into array('q'/'d') with `Uint8Array.assign_to`.
"""

from array import array

from js import Uint8Array

from ._wasm_ffi import call, column, integer, js_kernels


def _int64_column(kernel, name, x):
    if isinstance(x, array) and x.typecode == "q":
        return x
    try:
        view = memoryview(x)
        if view.format in ("q", "l") and view.itemsize == 8 and view.ndim == 1 and view.c_contiguous:
            return view
    except TypeError:
        pass
    if not isinstance(x, (str, bytes, bytearray)):
        try:
            return array("q", x)
        except (TypeError, ValueError, OverflowError):
            pass
    raise TypeError(f"{kernel}: {name} must be an int64 buffer (array('q'), numpy int64) or a sequence of integers")


class _Memory:
    """WASM allocations for one call, freed together."""

    def __init__(self):
        self.blocks = []

    def put(self, buf):
        raw = memoryview(buf).cast("B")
        words = (raw.nbytes + 7) // 8
        ptr = js_kernels.alloc_f64(words)
        self.blocks.append((ptr, words))
        Uint8Array.new(js_kernels.wasm_memory().buffer, ptr, raw.nbytes).assign(raw)
        return ptr

    def free(self):
        for ptr, words in self.blocks:
            js_kernels.free_f64(ptr, words)


def _copy_out(ptr, n, typecode):
    out = array(typecode, bytes(8 * n))
    if n:
        Uint8Array.new(js_kernels.wasm_memory().buffer, ptr, 8 * n).assign_to(memoryview(out).cast("B"))
    return out


def _violation(v):
    if v is None:
        return None
    try:
        return (int(v.row), v.field, v.rule, v.detail)
    finally:
        v.free()


def _table(table):
    try:
        n = table.rows()
        cols = (_copy_out(table.time_ptr(), n, "q"), *(_copy_out(table.value_ptr(i), n, "d") for i in range(5)))
        flat = [int(x) for x in table.lines()]
        return cols, _violation(table.violation()), list(zip(flat[::2], flat[1::2]))
    finally:
        table.free()


def _inputs(kernel, time, values):
    names = ("open", "high", "low", "close", "volume")
    cols = [column(kernel, name, v) for name, v in zip(names, values)]
    time = _int64_column(kernel, "time", time)
    n = len(time)
    for name, col in zip(names, cols):
        if len(col) != n:
            raise ValueError(f"{kernel}: {name} has {len(col)} values, time has {n}")
    return time, cols, n


def ohlcv_parse_csv(data, delimiter, fields, first_line, unit_name="auto"):
    if isinstance(data, str) or not _is_bytes_like(data):
        raise TypeError("parse_csv: data must be bytes-like (bytes, mmap, memoryview of bytes)")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise TypeError("argument 'delimiter': expected a string of length 1")
    if not delimiter.isascii():
        raise ValueError(f"parse_csv: delimiter must be an ASCII character, got {delimiter!r}")
    fields = [integer(f) for f in fields]
    if len(fields) != 6 or min(fields) < 0:
        raise ValueError("parse_csv: fields must be 6 non-negative field indexes")
    mem = _Memory()
    try:
        ptr = mem.put(data)
        table = call(js_kernels.ohlcv_parse_csv, ptr, memoryview(data).nbytes, delimiter, *fields, integer(first_line), unit_name)
    finally:
        mem.free()
    return _table(table)


def _is_bytes_like(x):
    try:
        return memoryview(x).format in ("B", "b", "c")
    except TypeError:
        return False


def ohlcv_validate(time, open, high, low, close, volume, timeframe_ms):
    time, cols, n = _inputs("validate", time, (open, high, low, close, volume))
    mem = _Memory()
    try:
        ptrs = [mem.put(c) for c in (time, *cols)]
        return _violation(call(js_kernels.ohlcv_validate, *ptrs, n, integer(timeframe_ms)))
    finally:
        mem.free()


def ohlcv_infer_timeframe(time):
    time = _int64_column("infer_timeframe", "time", time)
    mem = _Memory()
    try:
        result = js_kernels.ohlcv_infer_timeframe(mem.put(time), len(time))
        return None if result is None else int(result)
    finally:
        mem.free()


def ohlcv_gaps(time, timeframe_ms):
    time = _int64_column("gaps", "time", time)
    mem = _Memory()
    try:
        flat = [int(x) for x in call(js_kernels.ohlcv_gaps, mem.put(time), len(time), integer(timeframe_ms))]
        return list(zip(flat[::2], flat[1::2]))
    finally:
        mem.free()


def ohlcv_resample(time, open, high, low, close, volume, source_ms, target_ms):
    time, cols, n = _inputs("resample", time, (open, high, low, close, volume))
    mem = _Memory()
    try:
        ptrs = [mem.put(c) for c in (time, *cols)]
        table = call(js_kernels.ohlcv_resample, *ptrs, n, integer(source_ms), integer(target_ms))
    finally:
        mem.free()
    return _table(table)[0]
