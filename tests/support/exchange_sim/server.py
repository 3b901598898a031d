"""The simulator's server: uvicorn in a background thread on a free 127.0.0.1 port."""

import re
import threading
import time

import uvicorn
from starlette.applications import Starlette

from . import binance
from .faults import FaultMiddleware, Faults
from .market import DEFAULT_MARKETS, MarketData


class ExchangeSim:
    def __init__(self, start, now, seed=7, markets=DEFAULT_MARKETS, gaps=None):
        self.data = MarketData(start=start, now=now, seed=seed, markets=markets, gaps=gaps or {})
        self.faults = Faults()
        self.requests = []  # {"path", "query", "fault"} per request, in order
        self.broken = set()  # (symbol, open time): bars sent with high and low swapped
        app = Starlette(routes=binance.routes(self.data, self.broken))
        self.app = FaultMiddleware(app, self.faults, self.requests)
        self._server = None

    def start(self):
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="error", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="exchange-sim", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the exchange simulator did not start")
            time.sleep(0.005)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def stop(self):
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None

    def reset(self):
        """Clears faults, broken bars and the request log between tests."""
        self.faults.clear()
        self.requests.clear()
        self.broken.clear()

    def klines_requests(self):
        return [dict(p.split("=", 1) for p in r["query"].split("&") if p) for r in self.requests if r["path"] == "/api/v3/klines"]

    def ccxt_options(self, **extra):
        """Constructor options pointing ccxt.binance at this simulator (every API URL, spot
        markets only, a short timeout)."""
        import ccxt

        api = {name: re.sub(r"^https://[^/]+", self.url, url) for name, url in ccxt.binance().urls["api"].items()}
        options = {"urls": {"api": api}, "options": {"fetchMarkets": {"types": ["spot"]}}, "timeout": 3000}
        options.update(extra)
        return options

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
