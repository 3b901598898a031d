"""Which build of the kernels this interpreter uses."""

import importlib
import sys

backend = "wasm" if sys.platform == "emscripten" else "native"


def implementation(concept):
    """The module implementing one concept's kernels: the PyO3 extension on CPython, the
    concept's adapter over the WASM module on Pyodide. Both expose the same names."""
    if backend == "native":
        return importlib.import_module("cracktrader._native")
    return importlib.import_module(f"cracktrader.kernels._wasm_{concept}")


def compiled():
    """The compiled module itself: the PyO3 extension, or the wasm-bindgen module that the page
    registers on Pyodide. For what both export alike, such as the indicator catalog."""
    return importlib.import_module("cracktrader._native" if backend == "native" else "_cracktrader_wasm")
