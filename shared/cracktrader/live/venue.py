"""What a session asks of an exchange, in ccxt's unified API, through the Caller's fault rules:
markets and their rules, closed bars, placing, canceling and looking up orders by client order
id, an order's trades, open orders, balances. Spot, one symbol."""

from .client import Rejected, Unknown  # noqa: F401 - re-exported for the session

OPEN = "open"
FINAL = {"closed": "filled", "canceled": "canceled", "expired": "expired", "rejected": "rejected"}


class ExchangeVenue:
    def __init__(self, client, caller, symbol, timeframe):
        self.client, self.caller, self.symbol, self.timeframe = client, caller, symbol, timeframe
        self.market = None

    def load(self):
        """Loads the markets; returns the symbol's MarketRules."""
        from ..kernels import MarketRules

        self.caller.read(self.client.load_markets)
        if self.symbol not in self.client.markets:
            raise LookupError(f"{self.client.id} has no market {self.symbol}")
        if self.client.timeframes and self.timeframe not in self.client.timeframes:
            raise LookupError(f"{self.client.id} has no {self.timeframe} candles (it has {', '.join(self.client.timeframes)})")
        self.market = self.client.market(self.symbol)
        return MarketRules.from_ccxt(self.market, self.client.precisionMode)

    def closed_bars(self, since, now, bar_ms):
        """Bars opening at or after `since` that closed by `now` (the exchange's time), in order."""
        rows = self.caller.read(self.client.fetch_ohlcv, self.symbol, self.timeframe, since=since, limit=1000)
        bars, seen = [], set()
        for row in sorted(rows, key=lambda r: r[0]):
            t = int(row[0])
            if t < since or t + bar_ms > now or t in seen or any(v is None for v in row[1:6]):
                continue
            seen.add(t)
            bars.append((t, *(float(v) for v in row[1:6])))
        return bars

    # --- orders ----------------------------------------------------------------------------------
    def create(self, cid, side, kind, amount, price=None, tif="GTC"):
        """Places an order; the answer in `lookup`'s shape plus "trades": the fills it reports
        (Binance's full answer lists them; [] where the exchange's answer does not).
        Rejected (with a rule) or Unknown otherwise."""
        params = {"clientOrderId": cid}
        if kind == "limit" and tif == "IOC":
            params["timeInForce"] = "IOC"
        order = self.caller.send(self.client.create_order, self.symbol, kind, side, amount, price, params)
        answer = _answer(order)
        when = order.get("lastTradeTimestamp") or order.get("timestamp")
        answer["trades"] = [_trade(t, when) for t in order.get("trades") or () if t.get("id") is not None
                            and t.get("price") is not None and t.get("amount") is not None]
        if when is None and any(t["time"] is None for t in answer["trades"]):
            answer["trades"] = []  # a fill needs its time: the lookup's trades have it
        return answer

    def cancel(self, cid):
        """True when the exchange canceled it, False when it was not open (filled, gone)."""
        import ccxt

        try:
            self.caller.send(self.client.cancel_order, None, self.symbol, {"clientOrderId": cid})
            return True
        except ccxt.OrderNotFound:
            return False

    def lookup(self, cid):
        """The exchange's view of an order ({"id", "status", "filled", "amount", "average"}, status
        one of open/filled/canceled/expired/rejected), or None if it has no such order."""
        import ccxt

        try:
            found = self.caller.read(self.client.fetch_order, None, self.symbol, {"clientOrderId": cid})
        except ccxt.OrderNotFound:
            return None
        return _answer(found)

    def trades(self, order_id):
        """The order's fills: [{"id", "price", "qty", "fee", "fee_asset", "time"}] in time order."""
        if self.client.has.get("fetchOrderTrades"):
            rows = self.caller.read(self.client.fetch_order_trades, order_id, self.symbol)
        else:
            rows = [t for t in self.caller.read(self.client.fetch_my_trades, self.symbol) if str(t.get("order")) == order_id]
        return sorted((_trade(t) for t in rows), key=lambda t: (t["time"], t["id"]))

    def open_orders(self):
        return [{"id": str(o["id"]), "client_id": o.get("clientOrderId"), "side": o.get("side"), "type": o.get("type"),
                 "amount": o.get("amount"), "price": o.get("price")}
                for o in self.caller.read(self.client.fetch_open_orders, self.symbol)]

    def balances(self, base, quote):
        """(base total, quote free, quote total)."""
        b = self.caller.read(self.client.fetch_balance)
        return (float((b.get(base) or {}).get("total") or 0.0), float((b.get(quote) or {}).get("free") or 0.0),
                float((b.get(quote) or {}).get("total") or 0.0))


def _answer(order):
    """An order as ccxt parsed it, in the session's terms."""
    return {"id": str(order["id"]) if order.get("id") is not None else None,
            "status": FINAL.get(order.get("status"), OPEN), "filled": float(order.get("filled") or 0.0),
            "amount": float(order.get("amount") or 0.0), "client_id": order.get("clientOrderId")}


def _trade(t, when=None):
    """A fill as ccxt parsed it: {"id", "price", "qty", "fee", "fee_asset", "time"}; `when`: the
    time of an order's answer, for fills listed in it without their own."""
    fees = t.get("fees") or ([t["fee"]] if t.get("fee") else [])
    fee = next((f for f in fees if f and f.get("cost")), None)
    time = t.get("timestamp") if t.get("timestamp") is not None else when
    return {"id": str(t["id"]), "price": float(t["price"]), "qty": float(t["amount"]),
            "fee": float(fee["cost"]) if fee else 0.0, "fee_asset": fee["currency"] if fee else None,
            "time": int(time) if time is not None else None}
