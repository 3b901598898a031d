"""MarketRules: building from ccxt markets, the Python API, errors, and the batch form."""

import math
import pickle
import struct
from array import array

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cracktrader
import cracktrader.kernels as k
from cracktrader import OrderRejected
from cracktrader.kernels import ORDER_STATUS, MarketRules

BTC_USDT = {  # shaped like ccxt's binance market (TICK_SIZE)
    "symbol": "BTC/USDT",
    "precision": {"amount": 1e-05, "price": 0.01, "base": 1e-08, "quote": 1e-08},
    "limits": {"amount": {"min": 1e-05, "max": 9000.0}, "price": {"min": 0.01, "max": 1000000.0},
               "cost": {"min": 5.0, "max": 9000000.0}, "leverage": {"min": None, "max": None}},
}


@pytest.fixture
def rules():
    return MarketRules.from_ccxt(BTC_USDT, "TICK_SIZE")


def bits(x):
    return struct.pack("<d", x)


def test_validate_normalizes(rules):
    assert rules.validate("buy", "limit", 0.123456789, 43210.987) == (0.12345, 43210.99)
    assert rules.validate("sell", "market", 2) == (2.0, None)
    assert rules.validate(side="sell", order_type="market", amount=0.5, price=30000) == (0.5, 30000.0)
    assert rules.validate("buy", "limit", np.float64(0.1), np.float32(100.5)) == (0.1, 100.5)


def test_validate_is_the_kernel_itself():
    # The hot path has no Python layer: the method is the native (or WASM adapter) one.
    assert MarketRules.validate is MarketRules.__mro__[1].validate
    assert MarketRules.__mro__[1].__module__ == "cracktrader.kernels"
    assert not hasattr(MarketRules.from_ccxt(BTC_USDT, 4), "__dict__")


@pytest.mark.parametrize("precision_mode", [4, "TICK_SIZE"])
def test_precision_mode_by_constant_or_name(precision_mode):
    r = MarketRules.from_ccxt(BTC_USDT, precision_mode)
    assert repr(r).startswith("MarketRules('TICK_SIZE', amount_precision=1e-05, price_precision=0.01,")
    places = MarketRules.from_ccxt({"precision": {"amount": 3, "price": 2}}, 2)
    assert places.validate("buy", "limit", 1.23456, 9.876) == (1.234, 9.88)
    digits = MarketRules.from_ccxt({"precision": {"amount": 3, "price": 2}}, "SIGNIFICANT_DIGITS")
    assert digits.validate("buy", "limit", 1.23456, 9.876) == (1.23, 9.9)


def test_rejections_carry_rule_numbers_and_message(rules):
    with pytest.raises(OrderRejected) as e:
        rules.validate("buy", "limit", 0.0001, 100.0)
    assert (e.value.rule, e.value.value, e.value.limit) == ("cost_below_min", 0.01, 5.0)
    assert str(e.value) == "cost_below_min: cost 0.01 (amount * price) is below the minimum 5.0"
    assert isinstance(e.value, ValueError)
    with pytest.raises(OrderRejected) as e:
        rules.validate("BUY", "limit", 1.0, 100.0)
    assert (e.value.rule, e.value.value, e.value.limit) == ("invalid_side", "BUY", None)
    assert str(e.value) == "invalid_side: side must be 'buy' or 'sell', got 'BUY'"
    with pytest.raises(OrderRejected) as e:
        rules.validate("buy", None, 1.0)
    assert (e.value.rule, e.value.value) == ("invalid_type", None)
    with pytest.raises(OrderRejected) as e:
        rules.validate("buy", "limit", 1.0)
    assert (e.value.rule, e.value.value, str(e.value)) == ("price_required", None, "price_required: a limit order needs a price")
    with pytest.raises(OrderRejected) as e:
        rules.validate("sell", "limit", 9000.00001, 100.0)
    assert (e.value.rule, e.value.value, e.value.limit) == ("amount_above_max", 9000.00001, 9000.0)
    with pytest.raises(OrderRejected, match=r"^price_rounds_to_zero: price 0\.004 rounds to 0 at tick size 0\.01$"):
        rules.validate("buy", "limit", 1.0, 0.004)
    with pytest.raises(OrderRejected, match=r"^amount_not_finite: amount must be a finite number, got inf$"):
        rules.validate("buy", "limit", math.inf, 1.0)


def test_order_of_checks(rules):
    def rule(*order):
        with pytest.raises(OrderRejected) as e:
            rules.validate(*order)
        return e.value.rule

    assert rule("hold", "stop", math.nan, math.nan) == "invalid_side"
    assert rule("buy", "stop", math.nan, math.nan) == "invalid_type"
    assert rule("buy", "limit", -1.0, math.nan) == "amount_not_positive"
    assert rule("buy", "limit", 1e-6, None) == "amount_rounds_to_zero"  # before price_required
    assert rule("buy", "limit", 1e5, -1.0) == "amount_above_max"  # amount limits before price
    assert rule("buy", "limit", 1.0, 2e6) == "price_above_max"  # price before cost
    assert rule("buy", "market", 1e-5, 1.0) == "cost_below_min"  # market: reference price not limited


def test_cracktrader_exports_order_rejected_cheaply():
    assert cracktrader.OrderRejected is OrderRejected
    assert OrderRejected.__module__ == "cracktrader.errors"
    e = pickle.loads(pickle.dumps(OrderRejected("amount_below_min", "msg", 1.0, 2.0)))
    assert (e.rule, str(e), e.value, e.limit) == ("amount_below_min", "msg", 1.0, 2.0)


def test_status_codes_name_every_rule():
    assert ORDER_STATUS == (
        "valid", "invalid_side", "invalid_type", "amount_not_finite", "amount_not_positive",
        "amount_rounds_to_zero", "amount_below_min", "amount_above_max", "price_required",
        "price_not_finite", "price_not_positive", "price_rounds_to_zero", "price_below_min",
        "price_above_max", "cost_below_min", "cost_above_max",
    )
    assert k.ORDER_SIDES == ("buy", "sell") and k.ORDER_TYPES == ("limit", "market")


def test_batch_equals_single_calls(rules):
    sides = array("d", [0, 1, 0, 2, 0, 0, 1, 0, 0, 1])
    types = array("d", [0, 0, 1, 0, 7, 0, 1, 0, 0, 1])
    amounts = array("d", [0.123456, 1.0, 2.0, 1.0, 1.0, 1e-6, 1e5, math.nan, 0.5, 0.1])
    prices = array("d", [43210.987, math.nan, math.nan, 1.0, 1.0, 1.0, 1.0, 1.0, 0.004, 30000.0])
    a, p, status = rules.validate_batch(sides, types, amounts, prices)
    assert (a.typecode, p.typecode, status.typecode) == ("d", "d", "B")
    for i in range(len(sides)):
        price = None if math.isnan(prices[i]) else prices[i]
        side = k.ORDER_SIDES[int(sides[i])] if sides[i] in (0, 1) else "?"
        order_type = k.ORDER_TYPES[int(types[i])] if types[i] in (0, 1) else "?"
        try:
            want = rules.validate(side, order_type, amounts[i], price)
        except OrderRejected as e:
            assert ORDER_STATUS[status[i]] == e.rule and math.isnan(a[i]) and math.isnan(p[i])
        else:
            assert status[i] == 0 and bits(a[i]) == bits(want[0])
            assert bits(p[i]) == bits(math.nan if want[1] is None else want[1])
    assert [ORDER_STATUS[s] for s in status] == [
        "valid", "price_required", "valid", "invalid_side", "invalid_type", "amount_rounds_to_zero",
        "amount_above_max", "amount_not_finite", "price_rounds_to_zero", "valid"]


def test_batch_takes_any_float_columns(rules):
    n = 1000
    want = rules.validate_batch(array("d", [0] * n), array("d", [0] * n), array("d", [0.5] * n), array("d", [100.0] * n))
    for cols in ([0] * n, [0] * n, [0.5] * n, [100] * n), tuple(np.array(c, dtype=np.float64) for c in ([0] * n, [0] * n, [0.5] * n, [100.0] * n)):
        got = rules.validate_batch(*cols)
        assert [x.tobytes() for x in got] == [x.tobytes() for x in want]
    assert [len(x) for x in rules.validate_batch([], [], [], [])] == [0, 0, 0]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        ("r.validate_batch([0], [0, 0], [1], [1])", ValueError, "validate_batch: order_types has 2 values, expected 1"),
        ("r.validate_batch('0', [0], [1], [1])", TypeError, "validate_batch: sides must be a float64 buffer"),
        ("r.validate('buy', 'limit', '1.0')", TypeError, "validate: amount must be a real number, got str"),
        ("r.validate('buy', 'limit', 1.0, [1])", TypeError, "validate: price must be a real number, got list"),
        ("r.validate('buy', 'limit', 10**400)", ValueError, "validate: amount must be a real number within float range, got int"),
        ("r.cost_to_precision(float('nan'))", ValueError, "cost_to_precision: cost must be a finite number, got nan"),
        ("r.amount_to_precision(None)", TypeError, "amount_to_precision: amount must be a real number, got NoneType"),
    ],
)
def test_bad_arguments_are_clear_errors(rules, call, error, message):
    with pytest.raises(error) as e:
        eval(call, {"r": rules})
    assert str(e.value).startswith(message)


@pytest.mark.parametrize(
    ("market", "mode", "error", "message"),
    [
        ({}, "TICK", ValueError, "MarketRules: precision_mode must be ccxt's DECIMAL_PLACES (2), SIGNIFICANT_DIGITS (3) or TICK_SIZE (4), by value or name, got 'TICK'"),
        ({}, True, ValueError, "MarketRules: precision_mode must be"),
        ([], 4, TypeError, "MarketRules.from_ccxt: market must be a ccxt market dict, got list"),
        ({"precision": [1]}, 4, TypeError, "MarketRules.from_ccxt: market['precision'] must be a dict or None, got list"),
        ({"limits": {"cost": 5}}, 4, TypeError, "MarketRules.from_ccxt: limits['cost'] must be a dict or None, got int"),
        ({"precision": {"amount": "x"}}, 4, ValueError, "MarketRules: amount_precision must be a number, got 'x'"),
        ({"precision": {"price": True}}, 4, TypeError, "MarketRules: price_precision must be a number or None, got bool"),
        ({"precision": {"amount": 0.5}}, 2, ValueError, "MarketRules: amount_precision must be a whole number of decimal places in DECIMAL_PLACES mode, got 0.5"),
        ({"precision": {"amount": 0}}, 3, ValueError, "MarketRules: amount_precision must be a whole number of significant digits >= 1"),
        ({"precision": {"price": 0}}, 4, ValueError, "MarketRules: price_precision must be a tick size > 0 in TICK_SIZE mode, got 0.0"),
        ({"precision": {"price": 1e-30}}, 4, ValueError, "MarketRules: price_precision must be a tick size with at most 26 decimal places"),
        ({"limits": {"amount": {"min": -1}}}, 4, ValueError, "MarketRules: amount_min must be a finite number >= 0 or None, got -1.0"),
        ({"limits": {"cost": {"max": float("inf")}}}, 4, ValueError, "MarketRules: cost_max must be a finite number >= 0 or None, got inf"),
        ({"limits": {"price": {"min": 2, "max": 1}}}, 4, ValueError, "MarketRules: price_min 2.0 is above price_max 1.0"),
        ({"limits": {"price": {"min": 2**60 + 1}}}, 4, ValueError, "MarketRules: price_min 1152921504606846977 has no exact float"),
    ],
)
def test_bad_markets_are_clear_errors(market, mode, error, message):
    with pytest.raises(error) as e:
        MarketRules.from_ccxt(market, mode)
    assert str(e.value).startswith(message)


def test_constructor_and_missing_entries():
    r = MarketRules("TICK_SIZE", amount_precision="0.001", cost_min=10)
    assert repr(r) == "MarketRules('TICK_SIZE', amount_precision=0.001, cost_min=10.0)"
    assert r.validate("buy", "limit", 1.23456, 123.456789) == (1.234, 123.456789)  # no price precision: as given
    with pytest.raises(TypeError, match="MarketRules: unknown rule 'amount_step'"):
        MarketRules("TICK_SIZE", amount_step=1)
    bare = MarketRules.from_ccxt({"precision": None, "limits": None}, 4)
    assert bare.validate("sell", "limit", 1e-300, 1e300) == (1e-300, 1e300)
    # cost precision falls back to price precision, as ccxt's cost_to_precision does
    assert MarketRules.from_ccxt({"precision": {"price": 0.5}}, 4).cost_to_precision(7.9) == 7.5
    assert MarketRules.from_ccxt({"precision": {"price": 0.5, "cost": 2}}, 4).cost_to_precision(7.9) == 6.0


@settings(max_examples=1500, deadline=None)
@given(x=st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_in_messages_read_as_pythons_repr(x):
    # The kernels print floats the way Python does: the same shortest digits ccxt rounds.
    rules = MarketRules("TICK_SIZE", amount_max=0)
    with pytest.raises(OrderRejected) as e:
        rules.validate("buy", "market", x)
    if x > 0:
        assert str(e.value) == f"amount_above_max: amount {x!r} is above the maximum 0.0"
    else:
        assert str(e.value) == f"amount_not_positive: amount must be above 0, got {x!r}"
