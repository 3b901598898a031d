"""Indicator kernels on Pyodide, with the signatures and errors of the native build."""

from ._wasm_ffi import call, column, integer, js_kernels, run


def sma(x, n):
    x = column("sma", "x", x)
    return run(js_kernels.sma, [x], 1, [integer(n)])


class Sma:
    """Streaming SMA: `Sma(n).update(value)` gives what `sma` gives at that bar."""

    def __init__(self, n):
        self._state = call(js_kernels.Sma.new, integer(n))

    def update(self, value):
        return self._state.update(float(value))

    def __del__(self):
        if hasattr(self, "_state"):
            self._state.free()  # wasm-bindgen objects live in WASM memory until freed
