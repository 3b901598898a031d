"""Order validation: the WASM build, run in Pyodide, gives bit for bit what the native build
gives, rejections and error messages included, on one set of vectors."""

import json
import math
import random

import pytest

# Runs as is in both interpreters: every outcome as JSON-able data, floats as their bits.
OUTCOMES = '''
import json, struct
from array import array
from cracktrader import OrderRejected
from cracktrader.kernels import MarketRules

def bits(x):
    return None if x is None else struct.pack("<d", x).hex()

def outcome(call):
    try:
        got = call()
    except OrderRejected as e:
        return ["rejected", e.rule, repr(e.value), bits(e.limit), str(e)]
    except Exception as e:
        return ["error", type(e).__name__, str(e)]
    if isinstance(got, tuple) and len(got) == 3:  # batch
        return ["batch", *(x.tobytes().hex() for x in got)]
    return ["ok", *(bits(x) for x in (got if isinstance(got, tuple) else (got,)))]

def outcomes(vectors):
    out = []
    for market, mode, orders in json.loads(vectors):
        try:
            r = MarketRules.from_ccxt(market, mode)
        except Exception as e:
            out.append(["error", type(e).__name__, str(e)])
            continue
        out.append(repr(r))
        for side, order_type, amount, price in orders:
            out.append(outcome(lambda: r.validate(side, order_type, amount, price)))
        for x in (o[2] for o in orders):
            if isinstance(x, float):
                out.append(outcome(lambda: r.amount_to_precision(x)))
                out.append(outcome(lambda: r.price_to_precision(x)))
                out.append(outcome(lambda: r.cost_to_precision(x)))
        columns = [[], [], [], []]
        for side, order_type, amount, price in orders:
            if isinstance(amount, float) and (price is None or isinstance(price, float)):
                columns[0].append({"buy": 0.0, "sell": 1.0}.get(side, 9.0))
                columns[1].append({"limit": 0.0, "market": 1.0}.get(order_type, 9.0))
                columns[2].append(amount)
                columns[3].append(float("nan") if price is None else price)
        out.append(outcome(lambda: r.validate_batch(*(array("d", c) for c in columns))))
    return out
'''

SPECIALS = [0.0, -0.0, -1.0, math.nan, math.inf, -math.inf, 5e-324, 1e-9, 1e20, 1e30, 1e300, 1.7976931348623157e308]


def vectors():
    """Markets in all three modes and orders hitting every rule, plus random ones."""
    rng = random.Random(5)
    limits = {"amount": {"min": 0.001, "max": 9000}, "price": {"min": 0.01, "max": 1e6}, "cost": {"min": 5, "max": 1e7}}
    markets = [
        ({"precision": {"amount": 0.001, "price": 0.01}, "limits": limits}, "TICK_SIZE"),
        ({"precision": {"amount": 2.5e-5, "price": 0.5, "cost": 0.1}, "limits": limits}, 4),
        ({"precision": {"amount": 3, "price": 2}, "limits": limits}, "DECIMAL_PLACES"),
        ({"precision": {"amount": -1, "price": 30}, "limits": {}}, 2),
        ({"precision": {"amount": 4, "price": 1}, "limits": limits}, "SIGNIFICANT_DIGITS"),
        ({"precision": {}, "limits": {"cost": {"min": 10}}}, 4),
        ({"precision": {"amount": 0.5}}, 2),  # bad: decimal places must be whole
        ({"limits": {"cost": {"min": 5, "max": 1}}}, 4),  # bad: min above max
        ({}, "TICKS"),  # bad mode
    ]
    fixed = [
        ("buy", "limit", 0.123456789, 43210.987), ("sell", "market", 1.0, None), ("buy", "market", 0.5, 20000.0),
        ("hold", "limit", 1.0, 1.0), ("buy", 3, 1.0, 1.0), ("buy", "limit", 1.0, None), ("buy", "limit", 1e-4, 1.0),
        ("buy", "limit", 1e4, 1.0), ("buy", "limit", 1.0, 0.001), ("buy", "limit", 1.0, 2e6), ("buy", "limit", 0.001, 100.0),
        ("buy", "limit", 1000.0, 9000.0), ("buy", "limit", "1", 1.0), ("buy", "limit", 1.0, [1]), ("buy", "limit", 25.0, 0.125),
    ]
    fixed += [("buy", "limit", x, 100.0) for x in SPECIALS] + [("sell", "limit", 1.0, x) for x in SPECIALS]
    out = []
    for market, mode in markets:
        orders = list(fixed)
        for _ in range(60):
            amount = rng.choice([10 ** rng.uniform(-5, 4), round(10 ** rng.uniform(-3, 3), rng.randint(0, 6))])
            price = rng.choice([10 ** rng.uniform(-3, 6), round(10 ** rng.uniform(-2, 5), rng.randint(0, 4)), None])
            orders.append((rng.choice(["buy", "sell"]), rng.choice(["limit", "market"]), amount, price))
        out.append((market, mode, orders))
    return json.dumps(out)


def native_outcomes(data):
    scope = {}
    exec(OUTCOMES, scope)
    return scope["outcomes"](data)


def test_orders_bit_identical_native_and_wasm(pyodide):
    data = vectors()
    native = native_outcomes(data)
    wasm = pyodide.run(f"{OUTCOMES}\nresult = outcomes({data!r})\n")
    assert len(wasm) == len(native)
    for i, (w, n) in enumerate(zip(wasm, native)):
        assert w == n, i
    kinds = {o[0] if isinstance(o, list) else "repr" for o in native}
    rules = {o[1] for o in native if isinstance(o, list) and o[0] == "rejected"}
    assert kinds == {"ok", "rejected", "error", "batch", "repr"}
    assert len(rules) == 15  # every rule is in the vectors


@pytest.mark.parametrize("mode", ["TICK_SIZE", "DECIMAL_PLACES", "SIGNIFICANT_DIGITS"])
def test_batch_bit_identical_native_and_wasm(pyodide, mode):
    code = (
        "import random\nfrom array import array\nfrom cracktrader.kernels import MarketRules\n"
        f"r = MarketRules({mode!r}, amount_precision={ {'TICK_SIZE': 0.001}.get(mode, 3)!r}, "
        f"price_precision={ {'TICK_SIZE': 0.05}.get(mode, 2)!r}, amount_min=0.01, cost_min=10.0, cost_max=1e6)\n"
        "rng = random.Random(1)\nn = 20000\n"
        "cols = [array('d', [rng.choice([0, 1, 2]) for _ in range(n)]), array('d', [rng.choice([0, 1, 5]) for _ in range(n)]),\n"
        "        array('d', [10 ** rng.uniform(-4, 4) for _ in range(n)]), array('d', [rng.choice([10 ** rng.uniform(-1, 5), float('nan')]) for _ in range(n)])]\n"
        "result = [x.tobytes().hex() for x in r.validate_batch(*cols)]\n"
    )
    scope = {}
    exec(code, scope)
    assert pyodide.run(code) == scope["result"]
    assert len(set(bytes.fromhex(scope["result"][2]))) > 5  # a mix of statuses
