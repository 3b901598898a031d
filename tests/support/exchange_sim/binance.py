"""Binance spot REST endpoints ccxt calls for markets and candles, with Binance's semantics:
klines by open time within [startTime, endTime], `limit` 500 by default and at most 1000,
the most recent ones without startTime, the still-open bar included, Binance's error codes."""

from starlette.responses import JSONResponse
from starlette.routing import Route

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


class BadParam(Exception):
    pass


def routes(data, broken=frozenset()):
    """The routes over `data`; bars whose (symbol, open time) is in `broken` are sent with
    high and low swapped (a corrupt answer)."""
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
        if interval is None:
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

    return [
        Route("/api/v3/ping", ping),
        Route("/api/v3/time", time),
        Route("/api/v3/exchangeInfo", exchange_info),
        Route("/api/v3/klines", klines),
    ]


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
