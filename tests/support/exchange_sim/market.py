"""Markets and their candle history: a deterministic random walk per symbol, one-minute bars
(or `step_ms` bars: one-second for a `1s` test) from `start` to the clock's `now` (the last one
still open), longer bars aggregated from them.
The walk is drawn once up to `horizon` (default: `now`), so moving the clock forward reveals
bars that were always there. Prices are whole cents and volumes whole 1/64ths, so every value
is exact in binary and aggregates are exact sums. Minutes inside a symbol's gaps have no bar
(an exchange outage)."""

import random
from bisect import bisect_right
from dataclasses import dataclass, field

MINUTE = 60_000
WEEK = 604_800_000
MONDAY = 4 * 86_400_000  # 1970-01-01 was a Thursday
INTERVALS = {
    "1s": 1000, "1m": MINUTE, "3m": 3 * MINUTE, "5m": 5 * MINUTE, "15m": 15 * MINUTE, "30m": 30 * MINUTE,
    "1h": 60 * MINUTE, "2h": 120 * MINUTE, "4h": 240 * MINUTE, "6h": 360 * MINUTE, "8h": 480 * MINUTE,
    "12h": 720 * MINUTE, "1d": 1440 * MINUTE, "3d": 3 * 1440 * MINUTE, "1w": WEEK,
}


@dataclass(frozen=True)
class Market:
    base: str
    quote: str
    price_cents: int  # first open
    tick: str = "0.01000000"
    step: str = "0.00001000"
    min_qty: str = "0.00001000"
    max_qty: str = "9000.00000000"
    min_notional: str = "5.00000000"

    @property
    def symbol(self):
        return f"{self.base}/{self.quote}"

    @property
    def id(self):
        return f"{self.base}{self.quote}"


DEFAULT_MARKETS = (Market("BTC", "USDT", 4_200_000), Market("ETH", "USDT", 230_000), Market("ETH", "BTC", 5_000, tick="0.00001000", step="0.00010000", min_qty="0.00010000", min_notional="0.00010000"))


def period_start(t, interval_ms):
    offset = MONDAY if interval_ms % WEEK == 0 else 0
    return (t - offset) // interval_ms * interval_ms + offset


def cents(c):
    return f"{c // 100}.{c % 100:02d}000000"


def volume_text(k):  # k/64 as an exact decimal
    micro = k * 15_625
    return f"{micro // 10**6}.{micro % 10**6:06d}00"


@dataclass
class MarketData:
    """The candle history of every market between `start` and the clock's now (UTC ms)."""

    start: int
    clock: object  # .now()
    seed: int = 7
    markets: tuple = DEFAULT_MARKETS
    gaps: dict = field(default_factory=dict)  # symbol -> [(start, end)] without bars
    horizon: int = None  # the walk is drawn up to here (default: the clock's first now)
    step_ms: int = MINUTE  # the walk's bars; klines of a shorter interval do not exist
    _minutes: dict = field(default_factory=dict, repr=False)
    _bars: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.horizon is None:
            self.horizon = self.clock.now()

    @property
    def now(self):
        return self.clock.now()

    def market(self, market_id):
        return next((m for m in self.markets if m.id == market_id), None)

    def by_symbol(self, symbol):
        return next((m for m in self.markets if m.symbol == symbol), None)

    def minutes(self, market):
        """[(open_time, o, h, l, c, volume_64ths)] for every step (minute) up to the horizon (ints)."""
        if market.id not in self._minutes:
            rng = random.Random(f"{self.seed}:{market.id}")
            holes = self.gaps.get(market.symbol, [])
            out = []
            close = market.price_cents
            t = self.start // self.step_ms * self.step_ms
            while t <= self.horizon:
                o = close
                c = max(1, o + rng.randint(-o // 500 - 1, o // 500 + 1))
                h = max(o, c) + rng.randint(0, o // 1000 + 1)
                low = max(1, min(o, c) - rng.randint(0, o // 1000 + 1))
                v = rng.randint(0, 64 * 50)
                close = c
                if not any(a <= t < b for a, b in holes):
                    out.append((t, o, h, low, c, v))
                t += self.step_ms
            self._minutes[market.id] = out
        return self._minutes[market.id]

    def bars(self, market, interval_ms, now=None):
        """Bars of `interval_ms` up to `now` (default: the clock's), the last one still open
        (aggregated from its minutes so far): (open time, o, h, l, c, v)."""
        now = self.now if now is None else now
        if now > self.horizon:
            raise RuntimeError(f"the simulator's clock ({now}) is past its horizon ({self.horizon}): give a later horizon")
        every = self._all_bars(market, interval_ms)
        k = bisect_right(every, (now, float("inf")))
        out = every[:k]
        if out and out[-1][0] + interval_ms > now + self.step_ms and interval_ms > self.step_ms:  # still open: its steps so far
            start = out[-1][0]
            every_minute = self.minutes(market)
            minutes = every_minute[bisect_right(every_minute, (start - 1, float("inf"))):bisect_right(every_minute, (now, float("inf")))]
            if minutes:
                out[-1] = (start, minutes[0][1], max(m[2] for m in minutes), min(m[3] for m in minutes), minutes[-1][4],
                           sum(m[5] for m in minutes))
            else:
                out.pop()
        return out

    def bar_at(self, market, interval_ms, t):
        """The complete bar opening at `t`, or None (a gap)."""
        every = self._all_bars(market, interval_ms)
        k = bisect_right(every, (t, float("inf"))) - 1
        return every[k] if k >= 0 and every[k][0] == t else None

    def _all_bars(self, market, interval_ms):
        key = (market.id, interval_ms)
        if key not in self._bars:
            out = []
            for t, o, h, low, c, v in self.minutes(market):
                start = period_start(t, interval_ms)
                if out and out[-1][0] == start:
                    _, bo, bh, bl, _, bv = out[-1]
                    out[-1] = (start, bo, max(bh, h), min(bl, low), c, bv + v)
                else:
                    out.append((start, o, h, low, c, v))
            self._bars[key] = out
        return self._bars[key]
