"""Candles from trades on Pyodide, with the signatures, results and errors of the native build."""

from ._wasm_ffi import call, column, integer, js_kernels, real
from ._wasm_ohlcv import _copy_out, _int64_column, _Memory


def candles_from_trades(time, price, amount, timeframe_ms, now=None):
    kernel = "candles_from_trades"
    time = _int64_column(kernel, "time", time)
    price, amount = column(kernel, "price", price), column(kernel, "amount", amount)
    timeframe_ms = integer(timeframe_ms)
    now = None if now is None else integer(now)
    n = len(time)
    for name, col in (("price", price), ("amount", amount)):
        if len(col) != n:
            raise ValueError(f"{kernel}: {name} has {len(col)} values, time has {n}")
    mem = _Memory()
    try:
        ptrs = [mem.put(c) for c in (time, price, amount)]
        table = call(js_kernels.candles_from_trades, *ptrs, n, timeframe_ms, now)
    finally:
        mem.free()
    try:
        rows = table.rows()
        values = [_copy_out(table.value_ptr(i), rows, "d") for i in range(6)]
        return (_copy_out(table.time_ptr(), rows, "q"), *values, _copy_out(table.trades_ptr(), rows, "q"))
    finally:
        table.free()


def _bars(flat):
    """Bars from the flat Float64Array (Pyodide reads a whole-valued JS number as an int)."""
    flat = [float(x) for x in flat]
    return [(int(b[0]), *b[1:7], int(b[7])) for b in (flat[i : i + 8] for i in range(0, len(flat), 8))]


class CandleBuilder:
    def __init__(self, timeframe_ms):
        self._js = call(js_kernels.CandleBuilder.new, integer(timeframe_ms))

    def update(self, time, price, amount):
        return _bars(call(self._js.update, integer(time), real(price), real(amount)))

    def advance(self, now):
        return _bars(call(self._js.advance, integer(now)))

    def forming(self):
        bars = _bars(self._js.forming())
        return bars[0] if bars else None

    def reset(self):
        self._js.reset()

    def __del__(self):
        js = getattr(self, "_js", None)
        if js is not None:
            js.free()

