"""CrackTrader: backtest and trade crypto strategies written in Python.

The core is pure Python and light to import: numeric kernels (`cracktrader.kernels`), ccxt,
pyarrow and the server are imported only where they are used.
"""

__version__ = "0.1.0"

from . import ind  # noqa: E402
from .backtest import backtest  # noqa: E402
from .candles import Candles, timeframe_ms  # noqa: E402
from .costs import Commission, Slippage  # noqa: E402
from .data import load_data  # noqa: E402
from .data.errors import DataError  # noqa: E402
from .engine import Engine  # noqa: E402
from .errors import OrderRejected  # noqa: E402
from .lines import LookAheadError  # noqa: E402
from .result import Result  # noqa: E402
from .strategy import Strategy, StrategyError  # noqa: E402
from .strategy import from_source as strategy_from_source  # noqa: E402


def live(strategy, **options):
    """Trade `strategy` live, in paper or exchange mode, until stopped: see `cracktrader.live.run`
    (exchange=, symbol=, timeframe=, journal=, mode="paper"|"exchange", sandbox=, live=,
    params=, risk=...). Imported on first use: ccxt is loaded only then."""
    from .live import run

    return run(strategy, **options)


__all__ = [
    "Candles", "Commission", "DataError", "Engine", "LookAheadError", "OrderRejected", "Result", "Slippage",
    "Strategy", "StrategyError", "backtest", "ind", "live", "load_data", "optimize", "strategy_from_source",
    "timeframe_ms", "walk_forward",
]


def __getattr__(name):
    # Imported on first use: `import cracktrader` stays light. `ct.optimize(...)` calls the
    # (callable) module cracktrader.optimize; `ct.walk_forward` is its function.
    from importlib import import_module

    if name == "vectorized":
        return import_module(f"{__name__}.vectorized")
    if name in ("optimize", "walk_forward"):
        module = import_module(f"{__name__}.optimize")
        return module if name == "optimize" else module.walk_forward
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
