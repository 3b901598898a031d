"""Market data over the exchange's WebSocket (ccxt.pro), with REST for what the stream missed.

`TradeStream` builds the session's bars from the trade stream (`watch_trades`) with the
candles-from-trades kernel, whose bars equal the exchange's klines for the same trades;
`KlineStream` takes the exchange's own candles (`watch_ohlcv`) where there is no trade stream.
Either runs in a thread with its own event loop and reconnects by itself (1 s, 2 s... up to
30 s). The session asks `bars(since, now)` for the bars that closed since `since`:

- a bar the stream saw whole (the first trade after the connection was made came before the
  bar opened) is the stream's once closed: a later trade came (trades arrive in order), or
  `GRACE` seconds passed after its end without one (a quiet market);
- a bar it did not see whole — before the stream started, or around a reconnection — is fetched
  over REST (`rest_from`), so no bar is missing or doubled.

`forming()` is the bar forming now, for the page. `mode(config, client)` picks the source:
config.market_data "auto" (trades where ccxt streams them, else candles, else REST), "trades",
"klines" or "rest".
"""

import asyncio
import threading
import time

GRACE = 2.0  # seconds after a bar's end (the exchange's time) to wait for its last trades
MAX_BACKOFF = 30.0
WAKE = 1.0  # seconds: the longest a message waits in ccxt's cache before it is read
CACHE = 10_000  # trades (candles) ccxt keeps: more than arrive between two reads


def mode(config, client):
    """The market data source: "trades", "klines" or "rest"."""
    wanted = getattr(config, "market_data", "auto")
    if wanted == "rest":
        return "rest"
    has = {"trades": _pro_has(client, "watchTrades"), "klines": _pro_has(client, "watchOHLCV")}
    if wanted in has:
        return wanted if has[wanted] else "rest"
    return "trades" if has["trades"] else "klines" if has["klines"] else "rest"


def _pro_has(client, feature):
    try:
        import ccxt.pro
    except ImportError:
        return False
    cls = getattr(ccxt.pro, client.id, None)
    return bool(cls and cls().has.get(feature))


def open_stream(kind, make_client, symbol, timeframe, bar_ms, log):
    """A started TradeStream or KlineStream; `make_client()` builds the ccxt.pro exchange (in
    the stream's thread)."""
    stream = (TradeStream if kind == "trades" else KlineStream)(make_client, symbol, timeframe, bar_ms, log)
    stream.start()
    return stream


class _Stream:
    def __init__(self, make_client, symbol, timeframe, bar_ms, log):
        self.make_client, self.symbol, self.timeframe, self.bar_ms = make_client, symbol, timeframe, bar_ms
        self.log = log
        self.lock = threading.Lock()
        self.closed = {}  # open time -> (time, open, high, low, close, volume): closed, seen whole
        self.covered_from = None  # the first bar seen whole since the last (re)connection
        self.connected, self.reconnects, self.error = False, 0, None
        self._waiting = (None, 0.0)  # (bar, since when (monotonic)) the session waits for
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{type(self).__name__}", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=10)

    # --- what the session asks -----------------------------------------------------------------
    def bars(self, since, now):
        """(bars, rest_from): the bars opening at or after `since` that closed by `now` which the
        stream has, in order, and where the rest must come from over REST (None: the stream will
        have them, wait)."""
        with self.lock:
            for t in [t for t in self.closed if t < since]:
                del self.closed[t]
            out, t = [], since
            while t + self.bar_ms <= now:
                if t not in self.closed:
                    if not self.connected or self.covered_from is None or t < self.covered_from:
                        return out, t  # not seen whole
                    if not self._waited(t):
                        return out, None
                    self._close_until(t + self.bar_ms)  # a quiet market: nothing came to close it
                    if t not in self.closed:
                        return out, t
                out.append(self.closed.pop(t))
                t += self.bar_ms
            return out, None

    def _waited(self, t):
        """True once the session has waited GRACE seconds for the bar opening at `t` (lock held)."""
        bar, since = self._waiting
        if bar != t:
            self._waiting = (t, time.monotonic())
            return False
        return time.monotonic() - since >= GRACE

    def forming(self):
        with self.lock:
            return self._forming()

    def status(self):
        return {"connected": self.connected, "reconnects": self.reconnects, "covered_from": self.covered_from,
                "error": self.error}

    # --- the thread ------------------------------------------------------------------------------
    def _run(self):
        asyncio.run(self._main())

    async def _main(self):
        client, backoff, watch = None, 1.0, None
        try:
            while not self._stop.is_set():
                try:
                    if client is None:
                        client = self.make_client()
                        client.options["tradesLimit"] = client.options["OHLCVLimit"] = CACHE
                    # one watch waits across wakes (cancelling and re-creating it at each wake was
                    # most of an idle stream's CPU)
                    watch = watch or asyncio.ensure_future(self._watch(client))
                    done, _ = await asyncio.wait({watch}, timeout=WAKE)
                    if watch in done:
                        finished, watch = watch, None
                        finished.result()  # raises what the watch raised
                except Exception as e:  # noqa: BLE001 - any failure: reconnect, REST fills the gap
                    watch = None
                    self._lost(e, client)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF)
                    continue
                # ccxt resolves a watch with the first message and keeps what follows in its cache
                # until the next message: read the cache, not only what the watch returned.
                updates = self._cached(client)
                if not updates:
                    continue
                backoff = 1.0
                with self.lock:
                    if not self.connected:
                        self.connected = True
                        if self.reconnects or self.error:
                            self.log(f"market stream ({self.kind}) connected again; the bars it missed come over REST")
                    self._take(updates)
        finally:
            if watch is not None:
                watch.cancel()
            if client is not None:
                try:
                    await client.close()
                except Exception:  # noqa: BLE001 - closing a broken connection
                    pass

    def _lost(self, error, client):
        if client is not None:
            self._forget(client)  # what ccxt kept from before is not to be read as new
        with self.lock:
            if self.connected or self.error is None:
                self.log(f"market stream ({self.kind}): {type(error).__name__}: {str(error)[:200]}; reconnecting")
            if self.connected:
                self.reconnects += 1
            self.connected, self.error, self.covered_from = False, f"{type(error).__name__}: {str(error)[:200]}", None
            self._reset()


class TradeStream(_Stream):
    kind = "trades"

    def __init__(self, *args):
        super().__init__(*args)
        self.builder, self.last = None, None  # the candle builder, the last trade taken (time, id)

    async def _watch(self, client):
        return await client.watch_trades(self.symbol)

    def _cached(self, client):
        """The trades ccxt holds that came after the last one taken (it holds up to CACHE: read
        from the newest back, so a wake costs what is new, not the whole cache)."""
        new = []
        for trade in reversed((getattr(client, "trades", None) or {}).get(self.symbol) or ()):
            if self.last is not None and (int(trade["timestamp"]), _id(trade)) <= self.last:
                break
            new.append(trade)
        new.reverse()
        return new

    def _forget(self, client):
        (getattr(client, "trades", None) or {}).pop(self.symbol, None)

    def _take(self, trades):
        from ..kernels import CandleBuilder

        for trade in sorted(trades, key=lambda tr: (tr["timestamp"], _id(tr))):
            t = int(trade["timestamp"])
            key = (t, _id(trade))
            if self.last is not None and key <= self.last:
                continue  # seen before (ccxt hands back its cache after a reconnection)
            self.last = key
            if self.builder is None:
                # The bar this trade falls in was not seen from its start: the stream's bars begin with the next.
                self.covered_from = t // self.bar_ms * self.bar_ms + self.bar_ms
                self.builder = CandleBuilder(self.bar_ms)
            if t < self.covered_from:
                continue
            try:
                self._keep(self.builder.update(t, float(trade["price"]), float(trade["amount"])))
            except ValueError as e:  # out of order: start over, REST fills in
                self.log(f"market stream: {e}; its bars start again with the next one")
                self._reset()

    def _keep(self, bars):
        for b in bars:
            self.closed[b[0]] = tuple(b[:6])

    def _close_until(self, t):
        if self.builder is not None:
            self._keep(self.builder.advance(t))

    def _forming(self):
        bar = self.builder.forming() if self.builder is not None and self.connected else None
        return None if bar is None else dict(zip(("time", "open", "high", "low", "close", "volume", "quote_volume",
                                                  "trades"), bar))

    def _reset(self):
        self.builder = None


class KlineStream(_Stream):
    kind = "klines"

    def __init__(self, *args):
        super().__init__(*args)
        self.current = None  # the latest state of the bar forming

    async def _watch(self, client):
        return await client.watch_ohlcv(self.symbol, self.timeframe)

    def _cached(self, client):
        """The candles ccxt holds from the one forming on (it updates that one in place)."""
        new = []
        for row in reversed(((getattr(client, "ohlcvs", None) or {}).get(self.symbol) or {}).get(self.timeframe) or ()):
            new.append(row)
            if self.current is not None and row[0] <= self.current[0]:
                break
        new.reverse()
        return new

    def _forget(self, client):
        ((getattr(client, "ohlcvs", None) or {}).get(self.symbol) or {}).pop(self.timeframe, None)

    def _take(self, rows):
        for row in sorted(rows, key=lambda r: r[0]):
            t = int(row[0])
            bar = (t, *(float(v) for v in row[1:6]))
            if self.covered_from is None:
                self.covered_from = t  # the exchange sends a candle's whole state: this one is whole
            if self.current is not None and t > self.current[0]:
                self.closed[self.current[0]] = self.current  # a later candle: this one is final
            if self.current is None or t >= self.current[0]:
                self.current = bar

    def _close_until(self, t):
        if self.current is not None and self.current[0] + self.bar_ms <= t:
            self.closed[self.current[0]] = self.current
            self.current = None

    def _forming(self):
        if self.current is None or not self.connected:
            return None
        return dict(zip(("time", "open", "high", "low", "close", "volume"), self.current))

    def _reset(self):
        self.current = None


def _id(trade):
    tid = trade.get("id")
    return int(tid) if isinstance(tid, str) and tid.isdigit() else tid if isinstance(tid, int) else 0
