"""Saved exchange rules, for runs with no exchange at hand (the browser, the static demo):
a ccxt market's precision and limits, by id. `rules(spec)` turns a saved id, or a ccxt market
given with its precision mode, into `kernels.MarketRules`.
"""

# Binance spot BTC/USDT as ccxt describes it (precisionMode TICK_SIZE), from the exchange's
# public filters: PRICE_FILTER tickSize 0.01, LOT_SIZE stepSize/minQty 0.00001, maxQty 9000,
# NOTIONAL minNotional 5 and maxNotional 9,000,000.
SAVED = {
    "binance:BTC/USDT": {
        "label": "Binance BTC/USDT spot: price tick 0.01, amount step 0.00001, at least 5 USDT",
        "precision_mode": "TICK_SIZE",
        "market": {
            "symbol": "BTC/USDT",
            "precision": {"amount": 0.00001, "price": 0.01},
            "limits": {"amount": {"min": 0.00001, "max": 9000.0}, "price": {"min": 0.01, "max": 1_000_000.0},
                       "cost": {"min": 5.0, "max": 9_000_000.0}},
        },
    },
}


def catalog():
    """[{"id", "label", "precision_mode", "market"}]: the saved markets."""
    return [{"id": key, **value} for key, value in SAVED.items()]


def rules(spec):
    """MarketRules from a saved market's id, or {"market": <ccxt market dict>, "precision_mode"}."""
    from .kernels import MarketRules

    if isinstance(spec, str):
        if spec not in SAVED:
            raise ValueError(f"market_rules: no saved market {spec!r} (saved: {', '.join(SAVED)})")
        spec = SAVED[spec]
    if not isinstance(spec, dict) or "market" not in spec or "precision_mode" not in spec:
        raise ValueError("market_rules: expected a saved market id like 'binance:BTC/USDT', or "
                         "{\"market\": <ccxt market>, \"precision_mode\": \"TICK_SIZE\"}")
    return MarketRules.from_ccxt(spec["market"], spec["precision_mode"])
