"""Exchange order validation: a market's rules, built from a ccxt market in one call, and
orders checked and normalized exactly as ccxt rounds them (docs/orders.md).

    rules = MarketRules.from_ccxt(exchange.market("BTC/USDT"), exchange.precisionMode)
    amount, price = rules.validate("buy", "limit", 0.123456, 43210.987)  # or OrderRejected

`validate` and `validate_batch` run in the kernels (native or WASM) without a Python layer
in between; this module only builds the rules.
"""

import numbers
from collections.abc import Mapping

from ._backend import implementation

__all__ = ["MarketRules", "ORDER_SIDES", "ORDER_STATUS", "ORDER_TYPES", "PRECISION_MODES"]

_impl = implementation("orders")

#: Batch status code -> rule name; 0 is "valid".
ORDER_STATUS = tuple(_impl.ORDER_STATUS)
#: Batch side and order type codes -> name.
ORDER_SIDES = ("buy", "sell")
ORDER_TYPES = ("limit", "market")
#: ccxt's precision mode constants.
PRECISION_MODES = {2: "DECIMAL_PLACES", 3: "SIGNIFICANT_DIGITS", 4: "TICK_SIZE"}

_RULES = (
    "amount_precision", "price_precision", "cost_precision",
    "amount_min", "amount_max", "price_min", "price_max", "cost_min", "cost_max",
)


class MarketRules(_impl.MarketRules):
    """A market's precision and limits.

    `MarketRules(precision_mode, amount_precision=None, price_precision=None,
    cost_precision=None, amount_min=None, ..., cost_max=None)`: the mode is ccxt's constant
    or its name; precisions are decimal places, significant digits or tick sizes as the mode
    says (None: no rounding; cost falls back to price); limits are numbers or None.

    Methods (from the kernels): `validate(side, order_type, amount, price=None)` ->
    `(amount, price)` or raises `cracktrader.OrderRejected`; `validate_batch(sides,
    order_types, amounts, prices)` -> `(amounts, prices, status)`; `amount_to_precision`,
    `price_to_precision`, `cost_to_precision`.
    """

    __slots__ = ()

    def __new__(cls, precision_mode, **rules):
        for name in rules:
            if name not in _RULES:
                raise TypeError(f"MarketRules: unknown rule {name!r}, expected one of {', '.join(_RULES)}")
        numbers_ = {name: _number(name, value) for name, value in rules.items()}
        return super().__new__(cls, _mode_name(precision_mode), **numbers_)

    @classmethod
    def from_ccxt(cls, market, precision_mode):
        """The rules of a ccxt market dict (`exchange.market(symbol)`), given the exchange's
        `precisionMode`. Reads `precision.{amount,price,cost}` and
        `limits.{amount,price,cost}.{min,max}`; missing entries mean no rounding, no limit."""
        if not isinstance(market, Mapping):
            raise TypeError(f"MarketRules.from_ccxt: market must be a ccxt market dict, got {type(market).__name__}")
        precision = _section(market, "precision", "market")
        limits = _section(market, "limits", "market")
        rules = {f"{key}_precision": precision.get(key) for key in ("amount", "price", "cost")}
        for key in ("amount", "price", "cost"):
            bounds = _section(limits, key, "limits")
            rules[f"{key}_min"], rules[f"{key}_max"] = bounds.get("min"), bounds.get("max")
        return cls(precision_mode, **rules)


def _mode_name(mode):
    if isinstance(mode, str) and mode in PRECISION_MODES.values():
        return mode
    if isinstance(mode, numbers.Integral) and not isinstance(mode, bool) and mode in PRECISION_MODES:
        return PRECISION_MODES[mode]
    raise ValueError(
        "MarketRules: precision_mode must be ccxt's DECIMAL_PLACES (2), SIGNIFICANT_DIGITS (3) "
        f"or TICK_SIZE (4), by value or name, got {mode!r}"
    )


def _section(parent, key, where):
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"MarketRules.from_ccxt: {where}[{key!r}] must be a dict or None, got {type(value).__name__}")
    return value


def _number(name, value):
    """A rule's number as the float ccxt would use (numeric strings included), or None."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"MarketRules: {name} must be a number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"MarketRules: {name} must be a number or None, got {type(value).__name__}")
    try:
        result = float(value)
    except OverflowError:
        result = None
    # A float stands for the same number only if it is exactly that number.
    if result is None or (isinstance(value, numbers.Integral) and result != value):
        raise ValueError(f"MarketRules: {name} {value} has no exact float")
    return result
