"""Random backtests for the vectorized kernel's parity tests: market data, signals and settings
built from a few knobs and a seed. Also sent as source to Pyodide: it imports only cracktrader.

`case(knobs)` gives `(candles, signals, settings)`: `ct.vectorized.backtest(candles, **signals,
**settings)` and `ct.backtest(ArraySignals, candles, params=dict(signals=Signals(**signals)),
engine="event", **settings)` must give the same Result.
"""

import hashlib
import json
import random
from array import array

import cracktrader as ct
from cracktrader.kernels import MarketRules

HOUR = 3_600_000
COMMISSIONS = (0.0, 0.001, ct.Commission(maker=0.0002, taker=0.0007, fixed=0.05))
SLIPPAGES = (0.0, 5.0, "0.1range")
SIZINGS = ("95%", "30%", 2.5, "250%")
SIZES = ((None, "units"), (1.5, "units"), (500.0, "cash"), (40.0, "percent"), (0.0004, "units"), (0.1, "units"))


def candles(n, seed, vol=0.01, gap=0.002, tick=0.0, flat=0.0):
    """`n` hourly candles of a random walk kept between 40 and 250: gaps at the open, three
    moves inside each bar, some flat bars, prices on a `tick` grid when given (so levels,
    opens and extremes meet exactly)."""
    rng = random.Random(seed)
    cols = [array("d") for _ in range(5)]
    price = 100.0
    for _ in range(n):
        if rng.random() < flat:
            path = [price] * 4
        else:
            path = [price * (1.0 + (rng.random() - 0.5) * 2.0 * gap)]
            for _ in range(3):
                path.append(path[-1] * (1.0 + (rng.random() - 0.5) * 2.0 * vol))
        if tick:
            path = [round(p / tick) * tick for p in path]
        o, c = path[0], path[-1]
        for col, value in zip(cols, (o, max(path), min(path), c, 1.0 + rng.random() * 50.0)):
            col.append(value)
        price = c * 1.3 if c < 40.0 else c * 0.7 if c > 250.0 else c
    times = range(1_700_000_000_000, 1_700_000_000_000 + n * HOUR, HOUR)
    return ct.Candles.from_columns(times, *cols, symbol="RND/USDT", timeframe="1h")


def signals(n, seed, density, direction):
    """Entry and exit columns: 1.0 with probability `density` (with "both", +1/-1 entries)."""
    rng = random.Random(seed + 1)
    entries = array("d", (rng.choice((1.0, -1.0)) if direction == "both" and rng.random() < density else
                          1.0 if rng.random() < density else 0.0 for _ in range(n)))
    exits = array("d", (1.0 if rng.random() < density / 2 else 0.0 for _ in range(n)))
    return entries, exits


def rules(kind, tick):
    """None, or market rules that round and reject: amounts on a 0.01 grid (0.5 with kind 2,
    and prices under 60 refused), prices on the tick grid, a minimum amount and cost."""
    if not kind:
        return None
    return MarketRules("TICK_SIZE", amount_precision=0.01 if kind == 1 else 0.5, price_precision=tick or 0.01,
                       amount_min=0.02, cost_min=15.0, price_min=None if kind == 1 else 60.0)


def case(k):
    """(candles, signals kwargs, settings kwargs) from knobs `k` (a dict, see KNOBS)."""
    data = candles(k["n"], k["seed"], k["vol"], k["gap"], k["tick"], k["flat"])
    entries, exits = signals(k["n"], k["seed"], k["density"], k["direction"])
    size, size_type = SIZES[k["size"]]
    sig = dict(entries=entries, exits=exits, direction=k["direction"], stop_loss=k["stop_loss"],
               take_profit=k["take_profit"], trail_stop=k["trail_stop"], size=size, size_type=size_type)
    settings = dict(commission=COMMISSIONS[k["commission"]], slippage=SLIPPAGES[k["slippage"]], fill=k["fill"],
                    intrabar=k["intrabar"], leverage=k["leverage"], sizing=SIZINGS[k["sizing"]],
                    market_rules=rules(k["rules"], k["tick"]))
    return data, sig, settings


def outcome(result):
    """Everything a Result says, as comparable text: the JSON, every order and trade with the
    fields to_dict leaves out, the equity's bits."""
    orders = [(o.to_dict(), o.created_step, o.fill_at, o.reduce_only, o.trail_stop, o.trail_extreme, o.step,
               o.triggered, o.oco and o.oco.id, [c.id for c in o.children]) for o in result.orders]
    trades = [(t.to_dict(), t.id, t.entry_step, t.exit_step, t.exit_size, t.gross, t.is_open)
              for t in (*result.trades, *result.open_trades)]
    return {"json": same_json(result), "orders": repr(orders), "trades": repr(trades),
            "equity": hashlib.sha256(bytes(result.equity)).hexdigest()}


def same_json(result):
    """The result JSON but for the engine it names (which the comparisons are about)."""
    doc = json.loads(result.to_json())
    assert doc.pop("engine") == result.engine
    return json.dumps(doc)


def run_both(k):
    """(vectorized outcome, event engine outcome) of case `k`."""
    data, sig, settings = case(k)
    fast = ct.vectorized.backtest(data, **sig, **settings)
    slow = ct.backtest(ct.vectorized.ArraySignals, data, params=dict(signals=ct.vectorized.Signals(**sig)),
                       engine="event", **settings)
    assert (fast.engine, slow.engine) == ("vectorized", "event")
    return outcome(fast), outcome(slow)


def fixed_knobs(count, seed=0):
    """`count` knob sets drawn from a seeded generator (for Pyodide, where hypothesis is not)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        out.append(dict(
            n=rng.randint(2, 300), seed=rng.randrange(10**9), vol=rng.choice((0.002, 0.01, 0.04)),
            gap=rng.choice((0.0, 0.002, 0.02)), tick=rng.choice((0.0, 0.5)), flat=rng.choice((0.0, 0.2)),
            density=rng.choice((0.03, 0.15, 0.5)), direction=rng.choice(("long", "short", "both")),
            stop_loss=rng.choice((None, 0.01, 0.03)), take_profit=rng.choice((None, 0.02, 0.05)),
            trail_stop=rng.choice((None, 0.015)), size=rng.randrange(len(SIZES)),
            commission=rng.randrange(len(COMMISSIONS)), slippage=rng.randrange(len(SLIPPAGES)),
            fill=rng.choice(("open", "close")), intrabar=rng.choice(("adverse", "favorable", "nearest")),
            leverage=rng.choice((1.0, 3.0)), sizing=rng.randrange(len(SIZINGS)), rules=rng.choice((0, 1, 2)),
        ))
    return out
