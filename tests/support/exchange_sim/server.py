"""The simulator's server: uvicorn in a background thread on a free 127.0.0.1 port."""

import re
import threading
import time
from collections import Counter
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette

from . import binance
from .clock import SimClock
from .exchange import Exchange
from .faults import FaultMiddleware, Faults
from .market import DEFAULT_MARKETS, MarketData
from .streams import Streams


class ExchangeSim:
    """`rate` (0 or 1): whether the clock stands still between the test's jumps or runs;
    `horizon`: how far the candle history is drawn (the clock may move up to there);
    `step_ms`: its shortest bars (one minute; 1000 for a `1s` test, with a short history);
    `trading`: the matching engine's settings (see exchange.py: interval_ms, maker, taker,
    fee_asset, volume_share)."""

    def __init__(self, start, now, seed=7, markets=DEFAULT_MARKETS, gaps=None, horizon=None, rate=0.0, step_ms=60_000,
                 **trading):
        self.clock = SimClock(now, rate)
        self.data = MarketData(start=start, clock=self.clock, seed=seed, markets=markets, gaps=gaps or {}, horizon=horizon,
                               step_ms=step_ms)
        trading.setdefault("interval_ms", step_ms)
        self.exchange = Exchange(self.data, self.clock, **trading)
        self.clock.listeners.append(lambda t: self.exchange.sync())
        self.faults = Faults()
        self.requests = []  # {"path", "method", "query", "body", "keyed", "fault"} per request, in order
        self.broken = set()  # (symbol, open time): bars sent with high and low swapped
        self.streams = Streams(self.data)  # WebSocket market streams (trades, klines)
        app = Starlette(routes=binance.routes(self.data, self.broken, self.exchange) + self.streams.routes())
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
        self.ws_url = f"ws://127.0.0.1:{self.port}/stream/ws"  # ccxt.pro's binance knows spot streams by "/stream"
        return self

    def stop(self):
        if self._server is not None:
            self.faults.clear()  # releases held responses
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None

    def reset(self):
        """Clears faults, broken bars and the request log between tests."""
        self.faults.clear()
        self.requests.clear()
        self.broken.clear()

    # --- what the test looks at --------------------------------------------------------------
    def add_account(self, key, secret, **balances):
        return self.exchange.add_account(key, secret, balances)

    def klines_requests(self):
        return [dict(p.split("=", 1) for p in r["query"].split("&") if p) for r in self.requests if r["path"] == "/api/v3/klines"]

    def order_requests(self):
        """The parameters of every order placement the simulator received (faulted or not)."""
        return [dict(parse_qsl(r["body"] or r["query"])) for r in list(self.requests)
                if r["path"] == "/api/v3/order" and r["method"] == "POST"]

    def placed_client_ids(self):
        """How many placement requests named each client order id."""
        return Counter(p.get("newClientOrderId") for p in self.order_requests())

    def open_orders(self, key):
        return self.exchange.open_orders(key)

    def balance(self, key, asset):
        """free + locked of `asset` (a Decimal)."""
        acct = self.exchange.accounts[key]
        with self.exchange.lock:
            return acct.free.get(asset, 0) + acct.locked.get(asset, 0)

    # --- pointing ccxt here --------------------------------------------------------------------
    def ccxt_options(self, **extra):
        """Constructor options pointing ccxt.binance at this simulator (every API URL, spot
        markets only, a short timeout)."""
        import ccxt

        api = {name: re.sub(r"^https://[^/]+", self.url, url) for name, url in ccxt.binance().urls["api"].items()}
        options = {"urls": {"api": api}, "options": {"fetchMarkets": {"types": ["spot"]}}, "timeout": 3000}
        options.update(extra)
        return options

    def exchange_config(self, **extra):
        """An `--exchange-config` for a session with `--sandbox`, fail-closed: the sandbox URLs
        are this simulator's spot sections only, so anything else ccxt might call has no URL."""
        config = {"urls": {"test": {"public": f"{self.url}/api/v3", "private": f"{self.url}/api/v3",
                                    "v1": f"{self.url}/api/v1", "ws": {"spot": self.ws_url}}},
                  "options": {"fetchMarkets": {"types": ["spot"]}}, "timeout": 3000}
        config.update(extra)
        return config

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
