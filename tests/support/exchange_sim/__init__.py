"""An exchange simulator for tests: a Starlette app on 127.0.0.1 that speaks the part of
Binance's spot REST API ccxt uses (markets, candles, the clock, and, signed, the account,
orders and trades), with a matching engine over the bars it serves and injectable faults.

    sim = ExchangeSim(start=..., now=..., rate=1, volume_share=0.1).start()
    sim.add_account("KEY", "SECRET", USDT="10000")
    exchange = ccxt.binance(sim.ccxt_options(apiKey="KEY", secret="SECRET"))  # real ccxt, over HTTP
    sim.faults.add(Fault(path="/api/v3/order", method="POST", stage="after", status=502))
    sim.clock.set(t)                                 # the test moves the exchange's time
    sim.placed_client_ids()                          # what ccxt asked for
    sim.stop()

Layout: `clock.py` (the test's clock), `market.py` (markets and the deterministic candle
history), `exchange.py` (accounts, orders, matching, fees), `binance.py` (the Binance routes,
one function per endpoint, and request signing), `faults.py` (the fault middleware),
`server.py` (uvicorn in a thread).
"""

from .exchange import BinanceError
from .faults import Fault
from .market import Market, MarketData
from .server import ExchangeSim

__all__ = ["BinanceError", "ExchangeSim", "Fault", "Market", "MarketData"]
