"""Native kernels: indicators and order validation from one Rust crate, built twice.

On CPython they come from the PyO3 extension `cracktrader._native`; on Pyodide from the
WASM build, registered by the page as the JS module `_cracktrader_wasm`. `backend` says which
one is loaded. There is deliberately no pure-Python fallback: a missing build is an error.

Inputs are float64 columns: array('d'), memoryview, numpy float64 arrays on the server, or any
sequence of numbers. Outputs are array('d') of the input's length, NaN during warm-up.
"""

import sys

if sys.platform == "emscripten":
    from ._wasm import Sma, sma

    backend = "wasm"
else:
    from .._native import Sma, sma

    backend = "native"

__all__ = ["backend", "sma", "Sma"]
