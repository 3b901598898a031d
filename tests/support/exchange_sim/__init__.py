"""An exchange simulator for tests: a Starlette app on 127.0.0.1 that speaks the part of
Binance's spot REST API ccxt uses for markets and candles, with injectable faults.

    sim = ExchangeSim(start=..., now=..., gaps={"BTC/USDT": [(t0, t1)]}).start()
    exchange = ccxt.binance(sim.ccxt_options())     # real ccxt, over HTTP
    sim.faults.add(Fault(status=429, retry_after=1))
    ...
    sim.requests                                     # what ccxt asked for
    sim.stop()

Layout, so live trading can add orders and accounts later: `market.py` (markets and the
deterministic candle history), `binance.py` (the Binance routes, one function per
endpoint), `faults.py` (the fault middleware), `server.py` (uvicorn in a thread).
"""

from .faults import Fault
from .market import Market, MarketData
from .server import ExchangeSim

__all__ = ["ExchangeSim", "Fault", "Market", "MarketData"]
