"""Order validation on Pyodide, with the behaviour and errors of the native build.

The WASM `MarketRules` answers a validation with six numbers (see wasm/src/bindings/js/
orders.rs); this adapter turns them into the native build's return values and `OrderRejected`.
"""

import math
from array import array

from js import Float64Array, Uint8Array

from ..errors import OrderRejected
from ._wasm_ffi import call, column, js_kernels

ORDER_STATUS = tuple(js_kernels.order_status())
_SIDES = {"buy": 0, "sell": 1}
_TYPES = {"limit": 0, "market": 1}
_INVALID = 255


def _real(method, name, x):
    """A number argument as a float, accepted and refused as the native build does."""
    if type(x) is float:
        return x
    got = type(x).__name__
    if not isinstance(x, (str, bytes, bytearray)):
        try:
            return float(x)
        except TypeError:
            pass
        except OverflowError:
            raise ValueError(f"{method}: {name} must be a real number within float range, got {got}") from None
    raise TypeError(f"{method}: {name} must be a real number, got {got}")


class MarketRules:
    __slots__ = ("_js",)

    def __new__(cls, precision_mode, *, amount_precision=None, price_precision=None, cost_precision=None,
                amount_min=None, amount_max=None, price_min=None, price_max=None, cost_min=None, cost_max=None):
        self = object.__new__(cls)
        self._js = call(js_kernels.MarketRules.new, precision_mode, amount_precision, price_precision,
                        cost_precision, amount_min, amount_max, price_min, price_max, cost_min, cost_max)
        return self

    def validate(self, side, order_type, amount, price=None):
        s = _SIDES.get(side, _INVALID) if isinstance(side, str) else _INVALID
        t = _TYPES.get(order_type, _INVALID) if isinstance(order_type, str) else _INVALID
        amount = _real("validate", "amount", amount)
        price = None if price is None else _real("validate", "price", price)
        status, a, p, value, limit, by_precision = self._js.validate(s, t, amount, price).to_py().tolist()
        if status == 0:
            return a, (None if math.isnan(p) else p)
        got = side if s == _INVALID else order_type
        raise self._rejected(int(status), value, limit, by_precision, got)

    def amount_to_precision(self, amount):
        status, a, _, value, limit, by_precision = self._js.amount_to_precision(_real("amount_to_precision", "amount", amount)).to_py().tolist()
        if status:
            raise self._rejected(int(status), value, limit, by_precision, None)
        return a

    def price_to_precision(self, price):
        status, _, p, value, limit, by_precision = self._js.price_to_precision(_real("price_to_precision", "price", price)).to_py().tolist()
        if status:
            raise self._rejected(int(status), value, limit, by_precision, None)
        return p

    def cost_to_precision(self, cost):
        return call(self._js.cost_to_precision, _real("cost_to_precision", "cost", cost)).to_py()[0]

    def validate_batch(self, sides, order_types, amounts, prices):
        names = ("sides", "order_types", "amounts", "prices")
        inputs = [column("validate_batch", name, x) for name, x in zip(names, (sides, order_types, amounts, prices))]
        n = len(inputs[0])
        lengths = [len(c) for c in inputs] + [n, n]
        ptrs = [js_kernels.alloc_f64(length) for length in lengths]
        status_ptr = js_kernels.alloc_u8(n)
        try:
            memory = js_kernels.wasm_memory().buffer  # after the last allocation: growth detaches views
            for ptr, c in zip(ptrs, inputs):
                Float64Array.new(memory, ptr, len(c)).assign(c)
            args = [x for ptr, c in zip(ptrs, inputs) for x in (ptr, len(c))]
            call(self._js.validate_batch, *args, ptrs[4], ptrs[5], status_ptr)
            memory = js_kernels.wasm_memory().buffer
            out_amounts, out_prices = array("d", bytes(8 * n)), array("d", bytes(8 * n))
            status = array("B", bytes(n))
            Float64Array.new(memory, ptrs[4], n).assign_to(out_amounts)
            Float64Array.new(memory, ptrs[5], n).assign_to(out_prices)
            Uint8Array.new(memory, status_ptr, n).assign_to(status)
            return out_amounts, out_prices, status
        finally:
            for ptr, length in zip(ptrs, lengths):
                js_kernels.free_f64(ptr, length)
            js_kernels.free_u8(status_ptr, n)

    def _rejected(self, status, value, limit, by_precision, got):
        rule = ORDER_STATUS[status]
        choice = rule in ("invalid_side", "invalid_type")
        limit = None if math.isnan(limit) else limit
        message = self._js.explain(status, value, limit, bool(by_precision), repr(got) if choice else "")
        if choice:
            value = got
        elif rule == "price_required":
            value = None
        return OrderRejected(rule, message, value, limit)

    def __repr__(self):
        return self._js.describe()

    def __del__(self):
        if hasattr(self, "_js"):
            self._js.free()  # wasm-bindgen objects live in WASM memory until freed
