"""Binance spot REST endpoints ccxt calls, with Binance's semantics: klines by open time within
[startTime, endTime], `limit` 500 by default and at most 1000, the most recent ones without
startTime, the still-open bar included; signed endpoints (account, orders, trades) checked as
Binance checks them: `X-MBX-APIKEY`, HMAC-SHA256 with the account's secret over the raw query
string followed by the raw body, `timestamp` within `recvWindow` of the server's clock; Binance's
error codes and messages."""

import hashlib
import hmac
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.routing import Route

from .exchange import BinanceError
from .market import INTERVALS, cents, volume_text


def error(code, msg, status=400):
    return JSONResponse({"code": code, "msg": msg}, status_code=status)


def _int(params, name):
    value = params.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise BadParam(f"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'.") from None


class BadParam(BinanceError):
    def __init__(self, msg):
        super().__init__(-1100, msg)


def routes(data, broken=frozenset(), exchange=None):
    """The routes over `data` (and the accounts and orders of `exchange`); bars whose
    (symbol, open time) is in `broken` are sent with high and low swapped (a corrupt answer)."""
    async def ping(request):
        return JSONResponse({})

    async def time(request):
        return JSONResponse({"serverTime": data.now})

    async def exchange_info(request):
        return JSONResponse({
            "timezone": "UTC",
            "serverTime": data.now,
            "rateLimits": [
                {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
                {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
            ],
            "exchangeFilters": [],
            "symbols": [_symbol_info(m) for m in data.markets],
        })

    async def klines(request):
        p = request.query_params
        market = data.market(p.get("symbol", ""))
        if "symbol" not in p or "interval" not in p:
            return error(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." if "symbol" not in p
                         else "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.")
        if market is None:
            return error(-1121, "Invalid symbol.")
        interval = INTERVALS.get(p["interval"])
        if interval is None or interval < data.step_ms:
            return error(-1120, "Invalid interval.")
        try:
            start, end, limit = _int(p, "startTime"), _int(p, "endTime"), _int(p, "limit")
        except BadParam as e:
            return error(-1100, str(e))
        limit = 500 if limit is None else limit
        if not 1 <= limit <= 1000:
            return error(-1130, "Data sent for parameter 'limit' is not valid.")
        if start is not None and end is not None and start > end:
            return error(-1023, "Start time is greater than end time.")
        bars = [b for b in data.bars(market, interval) if (start is None or b[0] >= start) and (end is None or b[0] <= end)]
        bars = bars[:limit] if start is not None else bars[-limit:]
        bars = [(t, o, low, h, c, v) if (market.symbol, t) in broken else (t, o, h, low, c, v) for t, o, h, low, c, v in bars]
        return JSONResponse([
            [t, cents(o), cents(h), cents(low), cents(c), volume_text(v), t + interval - 1, "0.00000000", 1, "0.00000000", "0.00000000", "0"]
            for t, o, h, low, c, v in bars
        ])

    public = [
        Route("/api/v3/ping", ping),
        Route("/api/v3/time", time),
        Route("/api/v3/exchangeInfo", exchange_info),
        Route("/api/v3/klines", klines),
    ]
    return public if exchange is None else public + _signed_routes(exchange)


def _signed_routes(ex):
    def signed(handler):
        async def endpoint(request):
            try:
                key, params = await _authenticate(request, ex)
                return JSONResponse(handler(key, params, request.method))
            except BinanceError as e:
                return error(e.code, e.msg, e.status)
        return endpoint

    def account(key, params, method):
        with ex.lock:
            return {"makerCommission": 10, "takerCommission": 10, "buyerCommission": 0, "sellerCommission": 0,
                    "canTrade": True, "canWithdraw": False, "canDeposit": False, "brokered": False,
                    "requireSelfTradePrevention": False, "preventSor": False, "updateTime": ex.clock.now(),
                    "accountType": "SPOT", "balances": ex.accounts[key].balances(), "permissions": ["SPOT"], "uid": 1}

    def order(key, params, method):
        if method == "POST":
            return ex.place(key, params).to_json(full=params.get("newOrderRespType", "FULL") == "FULL")
        if method == "DELETE":
            canceled = ex.cancel(key, params)
            out = canceled.to_json()
            out["origClientOrderId"], out["clientOrderId"] = canceled.cid, params.get("newClientOrderId", f"cancel{canceled.id}")
            out["transactTime"] = canceled.updated
            return out
        return ex.find(key, params, (-2013, "Order does not exist.")).to_json()

    def open_orders(key, params, method):
        symbol = params.get("symbol")
        if symbol is not None and ex.data.market(symbol) is None:
            raise BinanceError(-1121, "Invalid symbol.")
        if method == "DELETE":
            if symbol is None:
                raise BinanceError(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
            out = []
            for o in ex.open_orders(key, symbol):
                out.append(ex.cancel(key, {"symbol": symbol, "orderId": str(o.id)}).to_json())
            return out
        return [o.to_json() for o in ex.open_orders(key, symbol)]

    def all_orders(key, params, method):
        symbol = _symbol(ex, params)
        start, end, limit, since_id = (_int(params, n) for n in ("startTime", "endTime", "limit", "orderId"))
        rows = [o for o in ex.all_orders(key, symbol) if (since_id is None or o.id >= since_id)
                and (start is None or o.placed_at >= start) and (end is None or o.placed_at <= end)]
        return [o.to_json() for o in rows[:min(limit or 500, 1000)]]

    def my_trades(key, params, method):
        symbol = _symbol(ex, params)
        start, end, limit, from_id, order_id = (_int(params, n) for n in ("startTime", "endTime", "limit", "fromId", "orderId"))
        rows = [t for t in ex.my_trades(key, symbol) if (order_id is None or t["orderId"] == order_id)
                and (from_id is None or t["id"] >= from_id) and (start is None or t["time"] >= start)
                and (end is None or t["time"] <= end)]
        fields = ("symbol", "id", "orderId", "price", "qty", "quoteQty", "commission", "commissionAsset", "time",
                  "isBuyer", "isMaker")
        return [{**{k: (num_text(t[k]) if k in ("price", "qty", "quoteQty", "commission") else t[k]) for k in fields},
                 "orderListId": -1, "isBestMatch": True} for t in rows[:min(limit or 500, 1000)]]

    return [
        Route("/api/v3/account", signed(account)),
        Route("/api/v3/order", signed(order), methods=["GET", "POST", "DELETE"]),
        Route("/api/v3/openOrders", signed(open_orders), methods=["GET", "DELETE"]),
        Route("/api/v3/allOrders", signed(all_orders)),
        Route("/api/v3/myTrades", signed(my_trades)),
    ]


def num_text(x):
    from .exchange import num

    return num(x)


def _symbol(ex, params):
    if "symbol" not in params:
        raise BinanceError(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
    if ex.data.market(params["symbol"]) is None:
        raise BinanceError(-1121, "Invalid symbol.")
    return params["symbol"]


async def _authenticate(request, ex):
    """(api key, params) of a signed request, or BinanceError as Binance answers it."""
    key = request.headers.get("X-MBX-APIKEY")
    account = ex.accounts.get(key) if key else None
    if account is None:
        raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", 401)
    query = request.scope.get("query_string", b"")
    body = await request.body()
    signature = None
    parts = []
    for raw in (query, body):
        head, sep, sig = raw.rpartition(b"&signature=")
        if not sep and raw.startswith(b"signature="):
            head, sig = b"", raw[len(b"signature="):]
        if sep or raw.startswith(b"signature="):
            if signature is not None or b"&" in sig:
                raise BinanceError(-1022, "Signature for this request is not valid.")
            signature, raw = sig.decode(), head
        parts.append(raw)
    if signature is None:
        raise BinanceError(-1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")
    want = hmac.new(account.secret.encode(), parts[0] + parts[1], hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, signature.lower()):
        raise BinanceError(-1022, "Signature for this request is not valid.")
    params = dict(parse_qsl(parts[0].decode(), keep_blank_values=True))
    params.update(parse_qsl(parts[1].decode(), keep_blank_values=True))
    try:
        stamp = int(params["timestamp"])
    except (KeyError, ValueError):
        raise BinanceError(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.") from None
    window = int(params.get("recvWindow", 5000))
    if window > 60_000:
        raise BinanceError(-1131, "recvWindow must be less than 60000")
    now = ex.clock.now()
    if stamp >= now + 1000:
        raise BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if now - stamp > window:
        raise BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")
    return key, params


def _symbol_info(m):
    return {
        "symbol": m.id, "status": "TRADING", "baseAsset": m.base, "baseAssetPrecision": 8,
        "quoteAsset": m.quote, "quotePrecision": 8, "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
        "icebergAllowed": True, "ocoAllowed": True, "otoAllowed": True, "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": True, "cancelReplaceAllowed": True, "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": m.tick, "maxPrice": "1000000.00000000", "tickSize": m.tick},
            {"filterType": "LOT_SIZE", "minQty": m.min_qty, "maxQty": m.max_qty, "stepSize": m.step},
            {"filterType": "NOTIONAL", "minNotional": m.min_notional, "applyMinToMarket": True,
             "maxNotional": "9000000.00000000", "applyMaxToMarket": False, "avgPriceMins": 5},
            {"filterType": "MARKET_LOT_SIZE", "minQty": "0.00000000", "maxQty": "100.00000000", "stepSize": "0.00000000"},
        ],
        "permissions": [], "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    }
