"""Native kernels: indicators and order validation from one Rust crate, built twice.

On CPython they come from the PyO3 extension `cracktrader._native`; on Pyodide from the
WASM build, registered by the page as the JS module `_cracktrader_wasm`. `backend` says which
one is loaded. There is deliberately no pure-Python fallback: a missing build is an error.

Inputs are float64 columns: array('d'), memoryview, numpy float64 arrays on the server, or any
sequence of numbers. Outputs are array('d') of the input's length, NaN during warm-up.
"""

from ._backend import backend
from .indicators import *  # noqa: F401,F403
from .indicators import __all__ as _indicators

__all__ = ["backend", *_indicators]
