"""Binance's market streams over WebSocket, as ccxt.pro's binance uses them: a connection to
`<ws url>/<n>`, `{"method": "SUBSCRIBE", "params": ["btcusdt@trade", "btcusdt@kline_1m"], "id": 1}`
answered `{"result": null, "id": 1}`, then trade events (`{"e": "trade", ...}`) and kline events
(`{"e": "kline", "k": {..., "x": closed}}`) as the simulator's clock passes them.

Trades are drawn from the minute bars the REST API serves, so klines built from them equal
`/api/v3/klines`: each minute (o, h, l, c, v) trades four times, at 0, 15, 30 and 45 s, at o,
then the low and the high (the high first in a falling minute), then c, each for v/4 (exact
decimals, 1/256 units). A minute's bar without volume has no trades.

The test can break the streams: `drop()` closes every connection (ccxt reconnects), `down = True`
refuses new ones until set back.
"""

import asyncio
import json
from bisect import bisect_left

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from .market import INTERVALS, MINUTE, period_start

OFFSETS = (0, 15_000, 30_000, 45_000)
POLL = 0.02  # seconds between looks at the clock
# seconds between updates of a forming kline: Binance's "Update Speed" (1000 ms for 1s klines,
# 2000 ms for the others); pushing faster made the idle-session benchmark measure the simulator
KLINE_EVERY = {"1s": 1.0}
KLINE_EVERY_DEFAULT = 2.0


def _decimal(units, scale):
    """units / scale as an 8-place decimal string (scale divides 10^8 exactly for 1/256 and cents)."""
    q = units * (10**8 // scale)
    return f"{q // 10**8}.{q % 10**8:08d}"


class Streams:
    def __init__(self, data):
        self.data = data
        self.sockets = set()
        self.down = False
        self._trades = {}

    # --- the market's trades ---------------------------------------------------------------------
    def trades(self, market, since, until):
        """[(time, id, price cents, qty in 1/256, buyer is maker)] with since < time <= until."""
        every = self._all_trades(market)
        lo = bisect_left(every, (since + 1,))
        hi = bisect_left(every, (until + 1,))
        return every[lo:hi]

    def _all_trades(self, market):
        if market.id not in self._trades:
            out = []
            first = self.data.start // MINUTE
            for t, o, h, low, c, v in self.data.minutes(market):
                if v == 0:
                    continue
                path = (o, low, h, c) if c >= o else (o, h, low, c)
                base = (t // MINUTE - first) * 4
                for j, (offset, price) in enumerate(zip(OFFSETS, path)):
                    out.append((t + offset, base + j, price, v, j % 2 == 1))
            self._trades[market.id] = out
        return self._trades[market.id]

    def trade_event(self, market, trade, now):
        t, tid, price, qty, maker = trade
        return {"e": "trade", "E": now, "s": market.id, "t": tid, "p": _decimal(price, 100), "q": _decimal(qty, 256),
                "T": t, "m": maker, "M": True}

    def kline_event(self, market, interval, start, now):
        """The kline opening at `start` as of `now`: trades up to now; closed once now passed its end."""
        from support.klines import klines

        ms = INTERVALS[interval]
        end = start + ms
        trades = self.trades(market, start - 1, min(now, end - 1))
        text = [(t, _decimal(p, 100), _decimal(q, 256)) for t, _, p, q, _ in trades]
        bars = klines(text, ms)
        if bars:
            _, o, h, low, c, v, qv, n = bars[0]
            first, last = trades[0][1], trades[-1][1]
        else:  # no trade yet: the previous close, as Binance shows a quiet interval
            before = self.trades(market, start - 10 * ms, start - 1)
            c = _decimal(before[-1][2], 100) if before else "0.00000000"
            o = h = low = c
            v = qv = "0.00000000"
            n, first, last = 0, -1, -1
        fmt = lambda x: f"{x:.8f}" if not isinstance(x, str) else x  # noqa: E731
        return {"e": "kline", "E": now, "s": market.id,
                "k": {"t": start, "T": end - 1, "s": market.id, "i": interval, "f": first, "L": last, "o": fmt(o),
                      "c": fmt(c), "h": fmt(h), "l": fmt(low), "v": fmt(v), "n": n, "x": now >= end, "q": fmt(qv),
                      "V": "0.00000000", "Q": "0.00000000", "B": "0"}}

    # --- the connection ------------------------------------------------------------------------------
    def routes(self):
        return [WebSocketRoute("/stream/ws/{n}", self.serve), WebSocketRoute("/stream/ws", self.serve)]

    def drop(self):
        """Closes every stream connection now (as a network failure would)."""
        for task in list(self.sockets):
            task.cancel()

    async def serve(self, ws):
        if self.down:
            await ws.close(code=1013)
            return
        await ws.accept()
        task = asyncio.current_task()
        self.sockets.add(task)
        # stream name -> trades: the time of the last trade sent; klines: (open time, loop time) of the last sent
        subscriptions = {}
        listener = asyncio.create_task(self._listen(ws, subscriptions))
        try:
            while not listener.done():
                for name in list(subscriptions):
                    await self._push(ws, name, subscriptions)
                await asyncio.sleep(POLL)
        except (WebSocketDisconnect, asyncio.CancelledError, RuntimeError):
            pass
        finally:
            listener.cancel()
            self.sockets.discard(task)
            try:
                await ws.close()
            except (RuntimeError, WebSocketDisconnect):
                pass

    async def _push(self, ws, name, subscriptions):
        market_id, _, channel = name.partition("@")
        market = self.data.market(market_id.upper())
        now, sent = self.data.now, subscriptions[name]
        if market is None:
            return
        if channel == "trade":
            since = now if sent is None else sent  # a new subscriber gets the trades from now on
            for trade in self.trades(market, since, now):
                await ws.send_text(json.dumps(self.trade_event(market, trade, now)))
            subscriptions[name] = now
        elif channel.startswith("kline_") and channel[6:] in INTERVALS:
            interval, loop_time = channel[6:], asyncio.get_running_loop().time()
            ms = INTERVALS[interval]
            start = period_start(now, ms)
            last_start, last_time = sent or (None, 0.0)
            if last_start is not None and last_start < start:  # closed since: their final state
                for k in range(last_start, start, ms):
                    await ws.send_text(json.dumps(self.kline_event(market, interval, k, now)))
            if last_start != start or loop_time - last_time >= KLINE_EVERY.get(interval, KLINE_EVERY_DEFAULT):
                await ws.send_text(json.dumps(self.kline_event(market, interval, start, now)))
                subscriptions[name] = (start, loop_time)

    async def _listen(self, ws, subscriptions):
        while True:
            message = json.loads(await ws.receive_text())
            method, params = message.get("method"), message.get("params") or []
            if method == "SUBSCRIBE":
                for name in params:
                    subscriptions.setdefault(name, None)
            elif method == "UNSUBSCRIBE":
                for name in params:
                    subscriptions.pop(name, None)
            await ws.send_text(json.dumps({"result": None, "id": message.get("id")}))
