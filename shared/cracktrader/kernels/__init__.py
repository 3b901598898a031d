"""Native kernels: indicators and order validation from one Rust crate, built twice.

On CPython they come from the PyO3 extension `cracktrader._native`; on Pyodide from the
WASM build, registered by the page as the JS module `_cracktrader_wasm`. `backend` says which
one is loaded. There is deliberately no pure-Python fallback: a missing build is an error.

Inputs are float64 columns: array('d'), memoryview, numpy float64 arrays on the server, or any
sequence of numbers. Outputs are array('d') of the input's length, NaN during warm-up.

Order validation: `MarketRules.from_ccxt(market, precision_mode).validate(side, order_type,
amount, price)` gives the order normalized as ccxt rounds it, or raises
`cracktrader.OrderRejected` naming the rule broken (see `orders`).

Candles from trades, as the exchange builds its klines: `candles_from_trades(time, price,
amount, timeframe_ms)` over columns and `CandleBuilder(timeframe_ms)` trade by trade (see `trades`).
"""

from ._backend import backend
from .indicators import *  # noqa: F401,F403
from .indicators import __all__ as _indicators
from .orders import *  # noqa: F401,F403
from .orders import __all__ as _orders
from .trades import CandleBuilder, candles_from_trades

__all__ = ["backend", *_indicators, *_orders, "CandleBuilder", "candles_from_trades"]
