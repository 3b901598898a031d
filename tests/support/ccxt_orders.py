"""ccxt as the oracle for order validation.

A real `ccxt.binance()` without network: `set_markets` loads a market dict, then the order is
checked in CrackTrader's order of checks (docs/orders.md), each outcome decided by ccxt itself:
`amount_to_precision` / `price_to_precision` for rounding, `check_order_arguments` for
non-positive amounts, and `Precise` on the rounded strings for min/max amount, price and cost
(cost = amount * price), as ccxt's exchange classes compare limits.

Where ccxt has no defined result, the oracle states what CrackTrader does instead:
- NaN or infinite amount/price: ccxt returns "NaN"/"Infinity" or raises -> *_not_finite;
- price <= 0: ccxt raises (zero) or returns a non-positive price -> price_not_positive;
- ccxt's 28-digit decimal arithmetic overflows (InvalidOperation), or the result reads back
  as an infinite float -> *_above_max;
- no precision in the market: ccxt raises AssertionError -> the number passes unrounded.
"""

import decimal
import math

import ccxt
from ccxt.base.decimal_to_precision import TICK_SIZE, TRUNCATE, decimal_to_precision, number_to_string
from ccxt.base.errors import InvalidOrder
from ccxt.base.precise import Precise

SYMBOL = "T/U"


def market_dict(precision, limits, symbol=SYMBOL):
    base, quote = symbol.split("/")
    return {"id": symbol.replace("/", ""), "symbol": symbol, "base": base, "quote": quote,
            "spot": True, "type": "spot", "precision": precision, "limits": limits}


class Oracle:
    def __init__(self):
        self.exchange = ccxt.binance()

    def load(self, markets, precision_mode):
        """Loads market dicts; returns ccxt's view of them by symbol."""
        self.exchange.precisionMode = precision_mode
        self.exchange.set_markets(markets)
        return self.exchange.markets

    def validate(self, symbol, side, order_type, amount, price=None):
        """("valid", (amount, price)) or (rule, None)."""
        market = self.exchange.market(symbol)
        if side not in ("buy", "sell"):
            return "invalid_side", None
        if order_type not in ("limit", "market"):
            return "invalid_type", None
        rule, a = self._rounded("amount", symbol, amount)
        if rule:
            return rule, None
        rule = self._limits("amount", a, market["limits"]["amount"])
        if rule:
            return rule, None
        if price is None:
            return ("price_required", None) if order_type == "limit" else ("valid", (float(a), None))
        if order_type == "limit":
            rule, p = self._rounded("price", symbol, price)
            rule = rule or self._limits("price", p, market["limits"]["price"])
        else:
            rule, p = self._finite_positive("price", symbol, price), number_to_string(price)
        if rule:
            return rule, None
        rule = self._limits("cost", Precise.string_mul(a, p), market["limits"]["cost"])
        if rule:
            return rule, None
        return "valid", (float(a), float(p))

    def to_precision(self, field, symbol, x):
        """ccxt's amount_to_precision / price_to_precision as a float, or the rule."""
        rule, s = self._rounded(field, symbol, x)
        return (rule, None) if rule else ("valid", float(s))

    def cost_to_precision(self, symbol, cost):
        """ccxt's cost_to_precision as a float. ccxt's own method passes the precision through
        safe_string, which decimal_to_precision refuses outside TICK_SIZE; so the same call is
        made with the number itself there."""
        ex = self.exchange
        precision = ex.market(symbol)["precision"]
        digits = precision.get("cost") if precision.get("cost") is not None else precision.get("price")
        if digits is None:
            return cost
        if ex.precisionMode == TICK_SIZE:
            return float(ex.cost_to_precision(symbol, cost))
        return float(decimal_to_precision(cost, TRUNCATE, digits, ex.precisionMode, ex.paddingMode))

    def _finite_positive(self, field, symbol, x):
        ex, market = self.exchange, self.exchange.market(symbol)
        to_precision = ex.amount_to_precision if field == "amount" else ex.price_to_precision
        if not math.isfinite(x):
            assert not _ccxt_gives_a_number(to_precision, symbol, x), x
            return f"{field}_not_finite"
        if x <= 0:
            if field == "amount":
                try:
                    ex.check_order_arguments(market, "limit", "buy", x, 1.0, {})
                except InvalidOrder:
                    return "amount_not_positive"
                raise AssertionError(f"ccxt accepted amount {x!r}")
            assert not _ccxt_gives_a_positive_number(to_precision, symbol, x), x
            return "price_not_positive"
        return None

    def _rounded(self, field, symbol, x):
        rule = self._finite_positive(field, symbol, x)
        if rule:
            return rule, None
        ex = self.exchange
        if ex.market(symbol)["precision"].get(field) is None:
            return None, number_to_string(x)
        to_precision = ex.amount_to_precision if field == "amount" else ex.price_to_precision
        try:
            s = to_precision(symbol, x)
        except InvalidOrder as e:
            assert "must be greater than minimum" in str(e), e
            return f"{field}_rounds_to_zero", None
        except decimal.InvalidOperation:
            return f"{field}_above_max", None
        if math.isinf(float(s)):
            return f"{field}_above_max", None
        return None, s

    @staticmethod
    def _limits(field, value, limits):
        lo, hi = limits.get("min"), limits.get("max")
        if lo is not None and Precise.string_lt(value, number_to_string(lo)):
            return f"{field}_below_min"
        if hi is not None and Precise.string_gt(value, number_to_string(hi)):
            return f"{field}_above_max"
        return None


def _ccxt_gives_a_number(to_precision, symbol, x):
    try:
        return math.isfinite(float(to_precision(symbol, x)))
    except Exception:  # noqa: BLE001 - any failure is "no number"
        return False


def _ccxt_gives_a_positive_number(to_precision, symbol, x):
    try:
        return float(to_precision(symbol, x)) > 0
    except Exception:  # noqa: BLE001
        return False
