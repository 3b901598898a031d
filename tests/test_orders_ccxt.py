"""Order validation agrees with ccxt itself on every case: the same normalized numbers to the
bit, or a rejection for the same rule (see support/ccxt_orders.py for the oracle, and what it
states where ccxt has no defined result)."""

import decimal
import json
import math
import random
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.ccxt_orders import SYMBOL, Oracle, market_dict
from support.shared_data import shared_param

from cracktrader import OrderRejected
from cracktrader.kernels import MarketRules

DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE = 2, 3, 4
SPECIALS = [0.0, -0.0, -1.5, math.nan, math.inf, -math.inf, 5e-324, 1e-300, 1e-9, 1e20, 9.999999999999999e19,
            1e26, 1e30, 1e300, 1.7976931348623157e308]


@pytest.fixture(scope="module")
def oracle():
    return Oracle()


def bits(pair):
    return tuple(None if v is None else struct.pack("<d", v) for v in pair)


def decimal_number(lo_exp=-15, hi_exp=6):
    """Numbers people type (few digits), whose shortest decimal is what they typed."""
    return st.builds(lambda m, e: float(f"{m}e{e}"), st.integers(1, 10**9), st.integers(lo_exp, hi_exp))


def tick_places(tick):
    digits, _, exp = f"{tick:e}".partition("e")
    return max(0, len(digits.replace(".", "").rstrip("0")) - 1 - int(exp))


ticks = st.one_of(
    st.builds(lambda m, e: float(f"{m}e{e}"), st.sampled_from([1, 2, 5, 25, 125, 3, 7]) | st.integers(1, 999),
              st.integers(-18, 3)),
    st.floats(1e-9, 1e3).filter(lambda t: tick_places(t) <= 26),
)


def precision(mode):
    """Mostly what markets have, sometimes beyond (ccxt counts more than 26 digits as 26)."""
    usual = {DECIMAL_PLACES: st.integers(0, 10), SIGNIFICANT_DIGITS: st.integers(1, 10), TICK_SIZE: ticks}[mode]
    rare = {DECIMAL_PLACES: st.integers(-3, 30), SIGNIFICANT_DIGITS: st.integers(1, 30), TICK_SIZE: ticks}[mode]
    return st.one_of(usual, usual, usual, rare)


def bounds():
    limit = st.none() | st.none() | decimal_number(-10, 8) | st.floats(1e-10, 1e10)
    return st.tuples(limit, limit).map(lambda b: dict(zip(("min", "max"), sorted(b) if None not in b else b)))


@st.composite
def cases(draw):
    mode = draw(st.sampled_from([DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE]))
    maybe = lambda s: draw(st.none() | s | s | s)  # noqa: E731 - mostly present
    prec = {"amount": maybe(precision(mode)), "price": maybe(precision(mode))}
    limits = {k: draw(bounds()) for k in ("amount", "price", "cost")}
    # Numbers near what matters for this market: ticks, half ticks, the limits themselves.
    anchors = [v for b in limits.values() for v in b.values() if v is not None]
    for p in prec.values():
        if mode == TICK_SIZE and p is not None:
            k = draw(st.integers(0, 10**6))
            anchors += [k * p, (k + 0.5) * p, p / 2, p]
    usual = [st.floats(1e-6, 1e6), decimal_number(-8, 5), *([st.sampled_from(anchors)] if anchors else [])]
    number = st.one_of(*usual, *usual, *usual, st.sampled_from(SPECIALS), st.floats())
    orders = draw(st.lists(st.tuples(
        st.sampled_from(["buy"] * 9 + ["sell"] * 9 + ["hold"]),
        st.sampled_from(["limit"] * 9 + ["market"] * 9 + ["stop"]),
        number,
        st.none() | number | number | number,
    ), min_size=1, max_size=8))
    return mode, market_dict(prec, limits), orders


def check(oracle, rules, symbol, orders):
    for side, order_type, amount, price in orders:
        want, normalized = oracle.validate(symbol, side, order_type, amount, price)
        try:
            got = rules.validate(side, order_type, amount, price)
        except OrderRejected as e:
            assert e.rule == want, (rules, side, order_type, amount, price, str(e), normalized)
        else:
            assert want == "valid", (rules, side, order_type, amount, price, got, want)
            assert bits(got) == bits(normalized), (rules, amount, price, got, normalized)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_validate_agrees_with_ccxt(oracle, case):
    mode, market, orders = case
    ccxt_market = oracle.load([market], mode)[SYMBOL]
    check(oracle, MarketRules.from_ccxt(ccxt_market, mode), SYMBOL, orders)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mode=st.sampled_from([DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE]), data=st.data())
def test_rounding_agrees_with_ccxt(oracle, mode, data):
    prec = {k: data.draw(precision(mode)) for k in ("amount", "price", "cost")}
    ccxt_market = oracle.load([market_dict(prec, {})], mode)[SYMBOL]
    rules = MarketRules.from_ccxt(ccxt_market, mode)
    x = data.draw(st.one_of(st.floats(1e-12, 1e12), decimal_number(), st.floats(allow_nan=False), st.sampled_from(SPECIALS)))
    for field, to_precision in (("amount", rules.amount_to_precision), ("price", rules.price_to_precision)):
        want, value = oracle.to_precision(field, SYMBOL, x)
        try:
            got = to_precision(x)
        except OrderRejected as e:
            assert e.rule == want, (field, x, rules, str(e))
        else:
            assert (want, struct.pack("<d", got)) == ("valid", struct.pack("<d", value)), (field, x, rules)
    try:
        want = oracle.cost_to_precision(SYMBOL, x)
    except decimal.InvalidOperation:
        want = math.nan
    if math.isfinite(want):
        assert struct.pack("<d", rules.cost_to_precision(x)) == struct.pack("<d", want), (x, rules)
    else:  # ccxt overflows or returns "NaN" / "Infinity": a ValueError here
        with pytest.raises(ValueError, match="cost_to_precision: cost"):
            rules.cost_to_precision(x)


def random_market(rng):
    mode = rng.choice([DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE])

    def precision():
        if rng.random() < 0.05:
            return None
        if mode == DECIMAL_PLACES:
            return rng.randint(0, 10) if rng.random() < 0.9 else rng.randint(-3, 30)
        if mode == SIGNIFICANT_DIGITS:
            return rng.randint(1, 12) if rng.random() < 0.9 else rng.randint(1, 30)
        if rng.random() < 0.8:
            return float(f"{rng.choice([1, 1, 1, 2, 5, 25, rng.randint(1, 999)])}e{rng.randint(-12, 2)}")
        return float(f"{rng.uniform(1, 10):.{rng.randint(0, 16)}f}e{rng.randint(-9, 1)}")

    def bounds(scale):
        lo = scale * 10 ** rng.uniform(-4, 0) if rng.random() < 0.7 else None
        hi = scale * 10 ** rng.uniform(0, 4) if rng.random() < 0.5 else None
        return {"min": lo, "max": hi}

    prec = {"amount": precision(), "price": precision()}
    limits = {"amount": bounds(10 ** rng.uniform(-3, 3)), "price": bounds(10 ** rng.uniform(-4, 4)),
              "cost": bounds(10 ** rng.uniform(0, 3))}
    return mode, market_dict(prec, limits)


def random_number(rng, mode, precision):
    """Positive numbers with many digits, few digits, exact ties, on and between ticks, and
    now and then odd ones."""
    x = 10 ** rng.uniform(-6, 6)
    kind = rng.random()
    if kind < 0.25:
        return round(x, rng.randint(0, 9)) or x
    if kind < 0.45 and mode == TICK_SIZE and precision:
        return (rng.randint(1, 10**6) + rng.choice([0, 0.5, 0.49999999, 0.5000001])) * precision
    if kind < 0.45 and precision is not None and 0 <= precision <= 15:
        # A 5 right after the last kept digit: how ties go.
        kept = rng.randint(1, 10 ** max(1, precision if mode == SIGNIFICANT_DIGITS else 6) - 1)
        if mode == SIGNIFICANT_DIGITS:
            kept = int(str(kept).ljust(precision, "1"))
            return float(f"{kept}5e{rng.randint(-12, 8)}")
        return float(f"{kept}5e-{precision + 1}")
    if kind < 0.5:
        return rng.choice(SPECIALS)
    return x


def test_random_orders_agree_with_ccxt(oracle):
    rng = random.Random(7)
    verdicts = set()
    for _ in range(300):
        mode, market = random_market(rng)
        rules = MarketRules.from_ccxt(oracle.load([market], mode)[SYMBOL], mode)
        orders = []
        for _ in range(40):
            amount = random_number(rng, mode, market["precision"]["amount"])
            price = random_number(rng, mode, market["precision"]["price"]) if rng.random() < 0.9 else None
            cost_limits = [v for v in market["limits"]["cost"].values() if v]
            if cost_limits and rng.random() < 0.2:  # amount * price right at a cost limit
                price = rng.choice(cost_limits) / amount if math.isfinite(amount) and amount > 0 else price
            orders.append((rng.choice(["buy", "sell"]), rng.choice(["limit", "market"]), amount, price))
        check(oracle, rules, SYMBOL, orders)
        verdicts.update(oracle.validate(SYMBOL, *o)[0] for o in orders)
    # The sweep reaches every rule a valid side and type can break.
    assert verdicts >= {"valid", "amount_not_positive", "amount_not_finite", "amount_rounds_to_zero",
                        "amount_below_min", "amount_above_max", "price_required", "price_not_finite",
                        "price_not_positive", "price_rounds_to_zero", "price_below_min", "price_above_max",
                        "cost_below_min", "cost_above_max"}


def binance_markets(path):
    """ccxt's static Binance markets (decimal places) from the shared data file `path`, or
    markets shaped like them when `path` is None."""
    if path is not None:
        return [m for m in json.loads(path.read_text()).values() if m.get("precision")]
    rng = random.Random(3)
    out = []
    for i in range(12):
        amount_places, price_places = rng.randint(0, 6), rng.randint(0, 8)
        limits = {"amount": {"min": 10.0 ** -amount_places, "max": rng.choice([1000, 9000, 9222449])},
                  "price": {"min": 10.0 ** -price_places, "max": 1e6}, "cost": {"min": rng.choice([1, 5, 10])}}
        out.append(market_dict({"amount": amount_places, "price": price_places}, limits, f"C{i}/USDT"))
    return out


@pytest.mark.parametrize("path", [shared_param("ccxt_static_markets_binance.json"), pytest.param(None, id="generated")])
def test_binance_markets_agree_with_ccxt(oracle, path):
    markets = binance_markets(path)
    loaded = oracle.load(markets, DECIMAL_PLACES)
    rng = random.Random(11)
    checked = 0
    for symbol, market in loaded.items():
        if market["precision"].get("amount") is None:
            continue
        rules = MarketRules.from_ccxt(market, "DECIMAL_PLACES")
        lo = market["limits"]["price"].get("min") or 1.0
        orders = []
        for _ in range(300):
            price = lo * 10 ** rng.uniform(0, 4) * rng.choice([1, 1, 1.0000001])
            amount = rng.choice([10 ** rng.uniform(-6, 6), round(10 ** rng.uniform(-3, 3), rng.randint(0, 8))])
            orders.append((rng.choice(["buy", "sell"]), rng.choice(["limit", "market"]), amount,
                           rng.choice([price, round(price, rng.randint(0, 6)), None])))
        check(oracle, rules, symbol, orders)
        checked += len(orders)
    assert checked >= 3000
