"""Candles from trades: the kernel's bars equal klines built from the same trades in exact
decimals (the exchange's way, tests/support/klines.py), and the streaming builder equals the
batch form."""

import random
from array import array

import pytest

from cracktrader.kernels import CandleBuilder, candles_from_trades
from support.klines import as_floats, klines, period_start

MIN = 60_000
MONDAY = 1_704_067_200_000  # 2024-01-01


def random_trades(n, seed, start=MONDAY, tick=2, step=5, pause=0.02, interval=MIN):
    """(time, price text, amount text): prices on a 10^-tick grid, amounts on a 10^-step grid,
    several trades per millisecond at times, and pauses of 2 to 20 intervals."""
    rng = random.Random(seed)
    t, cents = start, 4_321_000
    out = []
    for _ in range(n):
        r = rng.random()
        t += 0 if r < 0.3 else rng.randint(2 * interval, 20 * interval) if r < 0.3 + pause else rng.randint(1, 3000)
        cents = max(1, cents + rng.randint(-150, 150))
        units = rng.randint(1, 300_000)
        out.append((t, f"{cents / 10**tick:.{tick}f}", f"{units / 10**step:.{step}f}"))
    return out


def columns(trades):
    return array("q", [t for t, _, _ in trades]), array("d", [float(p) for _, p, _ in trades]), \
        array("d", [float(a) for _, _, a in trades])


def rows(cols):
    return [list(r) for r in zip(*(memoryview(c).tolist() for c in cols))]


@pytest.mark.parametrize("interval", [1000, MIN, 15 * MIN, 3_600_000, 86_400_000, 7 * 86_400_000])
def test_bars_equal_the_exchange_klines(interval):
    trades = random_trades(20_000, seed=interval, interval=min(interval, 3_600_000))
    now = trades[-1][0] + 3 * interval + 1
    got = rows(candles_from_trades(*columns(trades), interval, now))
    want = as_floats(klines(trades, interval, now))
    assert got == want
    assert any(r[7] == 0 for r in got) and any(r[7] > 1 for r in got)  # empty bars and busy ones
    assert all(period_start(r[0], interval) == r[0] for r in got)  # on the grid (weeks from Monday)


def test_decimal_volumes_where_float_sums_drift():
    trades = [(MONDAY, "10.00", "0.1"), (MONDAY + 5, "10.01", "0.2")]
    bar = rows(candles_from_trades(*columns(trades), MIN))[0]
    assert bar[5] == 0.3 and 0.1 + 0.2 != 0.3
    assert bar[6] == 3.002 and 10.0 * 0.1 + 10.01 * 0.2 != 3.002


def test_stream_equals_batch():
    trades = random_trades(5_000, seed=3)
    t, p, a = columns(trades)
    builder = CandleBuilder(MIN)
    assert builder.forming() is None
    seen = []
    rng = random.Random(1)
    for i in range(len(t)):
        if rng.random() < 0.2:
            seen += builder.advance(t[i] - rng.randint(0, 1000))  # the clock moves between trades
        closed = builder.update(t[i], p[i], a[i])
        seen += closed
        forming = builder.forming()
        assert forming[0] <= t[i] < forming[0] + MIN and forming[4] == p[i]
    now = t[-1] + 10 * MIN
    seen += builder.advance(now)
    seen.append(builder.forming())
    assert [list(b) for b in seen] == rows(candles_from_trades(t, p, a, MIN, now))
    assert all(b[0] + MIN <= now for b in seen[:-1])


def test_forming_bar_closes_with_the_clock():
    b = CandleBuilder(MIN)
    assert b.update(MONDAY + 10, 100.0, 1.0) == []
    assert b.forming() == (MONDAY, 100.0, 100.0, 100.0, 100.0, 1.0, 100.0, 1)
    assert b.advance(MONDAY + MIN - 1) == []
    assert b.advance(MONDAY + MIN) == [(MONDAY, 100.0, 100.0, 100.0, 100.0, 1.0, 100.0, 1)]
    assert b.forming() == (MONDAY + MIN, 100.0, 100.0, 100.0, 100.0, 0.0, 0.0, 0)
    assert b.update(MONDAY + 2 * MIN + 1, 99.0, 2.0) == [(MONDAY + MIN, 100.0, 100.0, 100.0, 100.0, 0.0, 0.0, 0)]
    b.reset()
    assert b.forming() is None


def test_bad_trades_are_named():
    t, p, a = array("q", [1, 2, 1]), [1.0, 2.0, 3.0], [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match=r"^candles_from_trades: trades must be in time order: the trade at row 2 at 1 comes after one at 2$"):
        candles_from_trades(t, p, a, MIN)
    with pytest.raises(ValueError, match=r"the price at row 1 must be a finite number > 0, got -2"):
        candles_from_trades([1, 2], [1.0, -2.0], [1.0, 1.0], MIN)
    with pytest.raises(ValueError, match=r"the amount at row 0 must be a finite number > 0, got inf"):
        candles_from_trades([1], [1.0], [float("inf")], MIN)
    with pytest.raises(ValueError, match=r"amount has 1 values, time has 2"):
        candles_from_trades([1, 2], [1.0, 1.0], [1.0], MIN)
    with pytest.raises(ValueError, match=r"timeframe_ms must be >= 1, got 0"):
        CandleBuilder(0)
    with pytest.raises(TypeError, match=r"time must be an int64 buffer"):
        candles_from_trades("abc", [1.0], [1.0], MIN)
    b = CandleBuilder(MIN)
    b.update(MONDAY, 1.0, 1.0)
    b.advance(MONDAY + 2 * MIN)
    with pytest.raises(ValueError, match=r"the trade at 1704067200001 falls in a bar that has closed"):
        b.update(MONDAY + 1, 1.0, 1.0)


def test_empty_and_before_the_first_trade():
    assert [len(c) for c in candles_from_trades([], [], [], MIN, MONDAY)] == [0] * 8
    assert CandleBuilder(MIN).advance(MONDAY) == []
