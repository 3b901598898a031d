"""Indicator kernels on Pyodide: for each indicator of the catalog, a function and a streaming
class over the WASM build, with the signatures, defaults and errors of the native build."""

from ._wasm_ffi import call, column, integer, js_kernels, real, run
from .catalog import CATALOG


def _batch(kernel, n_outputs, params, **columns):
    """Run batch `kernel` over the named input columns (in order) with its checked params."""
    names = list(columns)
    cols = [column(kernel, name, value) for name, value in columns.items()]
    for name, col in zip(names[1:], cols[1:]):
        if len(col) != len(cols[0]):
            raise ValueError(f"{kernel}: {name} has {len(col)} values but {names[0]} has {len(cols[0])}")
    return run(getattr(js_kernels, kernel), cols, n_outputs, params)


class _Stream:
    """A streaming state living in WASM memory; `update` is bit-identical to the native one."""

    __slots__ = ("_state",)
    outputs = 1  # several: `update` gives a tuple

    def __new__(cls, *params):
        self = object.__new__(cls)
        self._state = call(getattr(js_kernels, cls.__name__).new, *params)
        return self

    def _update(self, *bar):
        result = self._state.update(*[real(v) for v in bar])
        return result if self.outputs == 1 else tuple(result.to_py())

    def __del__(self):
        if hasattr(self, "_state"):
            self._state.free()  # wasm-bindgen objects live in WASM memory until freed


def _source(sig):
    """Python source defining `sig`'s function and streaming class. Real definitions, so that
    their signatures, and the errors of a call with missing or extra arguments, are worded as
    the native build's (PyO3 words them as CPython does)."""
    params = [p.name if p.default is None else f"{p.name}={p.default!r}" for p in sig.params]
    checked = "".join(f"{'integer' if p.type is int else 'real'}({p.name}), " for p in sig.params)
    inputs = ", ".join(sig.inputs)
    return f"""
def {sig.name}({", ".join([*sig.inputs, *params])}):
    return _batch({sig.name!r}, {len(sig.outputs)}, [{checked}], {", ".join(f"{i}={i}" for i in sig.inputs)})


class {sig.stream}(_Stream):
    __slots__ = ()
    outputs = {len(sig.outputs)}

    def __new__({", ".join(["cls", *params])}):
        return _Stream.__new__(cls, {checked})

    def update(self, {inputs}):
        return self._update({inputs})
"""


# Defines sma, Sma, ... max, Max (shadowing the builtins in this module, as the names must be).
exec(compile("".join(_source(sig) for sig in CATALOG), "<indicator catalog>", "exec"))
