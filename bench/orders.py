"""Order validation: CrackTrader's kernels against ccxt's own path, same orders, same run.

ccxt's path per order is what a trading loop does with ccxt: `amount_to_precision` +
`price_to_precision`, then the market's limits (min/max amount, price, and cost = amount *
price) checked on the rounded numbers. Ours: `MarketRules.validate` once per order from
Python, and `validate_batch` over columns. Prints microseconds per order, orders per second
and the ratios; best of several repeats, as the machine is shared.

usage: python bench/orders.py
"""

import random
import sys
import time
from array import array

import ccxt

from cracktrader.kernels import MarketRules

SYMBOL = "BTC/USDT"
LIMITS = {"amount": {"min": 1e-05, "max": 9000.0}, "price": {"min": 0.01, "max": 1000000.0},
          "cost": {"min": 5.0, "max": 9000000.0}}
MARKETS = {  # Binance's BTC/USDT rules in each of ccxt's precision modes
    "TICK_SIZE": {"amount": 1e-05, "price": 0.01},
    "DECIMAL_PLACES": {"amount": 5, "price": 2},
    "SIGNIFICANT_DIGITS": {"amount": 6, "price": 7},
}


def market(precision):
    return {"id": "BTCUSDT", "symbol": SYMBOL, "base": "BTC", "quote": "USDT", "spot": True, "type": "spot",
            "precision": precision, "limits": LIMITS}


def orders(n, seed=1):
    """Amounts and prices as strategies produce them: computed (full digits) or typed."""
    rng = random.Random(seed)
    amounts, prices = array("d"), array("d")
    for _ in range(n):
        amount = 10 ** rng.uniform(-4, 0.5)
        price = rng.uniform(20000, 60000)
        amounts.append(round(amount, 4) if rng.random() < 0.3 else amount)
        prices.append(round(price, 1) if rng.random() < 0.3 else price)
    return amounts, prices


def ccxt_validate(ex, amount, price):
    """ccxt's rounding and the limit checks on the rounded numbers: (amount, price) or None."""
    a = float(ex.amount_to_precision(SYMBOL, amount))
    p = float(ex.price_to_precision(SYMBOL, price))
    for value, limit in ((a, LIMITS["amount"]), (p, LIMITS["price"]), (a * p, LIMITS["cost"])):
        if value < limit["min"] or value > limit["max"]:
            return None
    return a, p


def best(fn, repeats=5):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_mode(mode, precision):
    ex = ccxt.binance()
    ex.precisionMode = {"DECIMAL_PLACES": 2, "SIGNIFICANT_DIGITS": 3, "TICK_SIZE": 4}[mode]
    ex.set_markets([market(precision)])
    rules = MarketRules.from_ccxt(ex.market(SYMBOL), ex.precisionMode)
    amounts, prices = orders(200_000)
    pairs = list(zip(amounts, prices))

    # Same answers before timing anything.
    for a, p in pairs[:2000]:
        try:
            ours = rules.validate("buy", "limit", a, p)
        except ValueError:
            ours = None
        assert ours == ccxt_validate(ex, a, p), (mode, a, p)

    few = pairs[:20_000]
    t_ccxt = best(lambda: [ccxt_validate(ex, a, p) for a, p in few], 3) / len(few)

    validate = rules.validate

    def ours_single():
        for a, p in pairs:
            try:
                validate("buy", "limit", a, p)
            except ValueError:
                pass

    t_single = best(ours_single) / len(pairs)

    n = 2_000_000
    big_a, big_p = orders(n, seed=2)
    sides, types = array("d", bytes(8 * n)), array("d", bytes(8 * n))
    t_batch = best(lambda: rules.validate_batch(sides, types, big_a, big_p)) / n
    return t_ccxt, t_single, t_batch


def main():
    print(f"order validation, a BTC/USDT market, limit orders; Python {sys.version.split()[0]}, ccxt {ccxt.__version__}")
    print(f"{'precision mode':20} {'ccxt us/order':>14} {'ours us/order':>14} {'ratio':>7} {'batch orders/s':>15} {'ratio':>8}")
    for mode, precision in MARKETS.items():
        t_ccxt, t_single, t_batch = bench_mode(mode, precision)
        print(f"{mode:20} {t_ccxt * 1e6:14.2f} {t_single * 1e6:14.3f} {t_ccxt / t_single:6.0f}x "
              f"{1 / t_batch / 1e6:14.1f}M {t_ccxt / t_batch:7.0f}x")
    print("targets: single < 1 us/order (10x ccxt), batch > 10M orders/s")


if __name__ == "__main__":
    main()
