"""What the indicator tests share: one spec per kernel of the catalog (its signature, from
`cracktrader.kernels.catalog`, with parameters to test and the oracle it must match), market
data to run them on, and the comparison the issue asks for.

Oracles are TA-Lib (parameters always passed explicitly, SMA as the MA type) or, for the
kernels TA-Lib lacks, the pure-Python definitions in tests/support/reference.py.
"""

import math
import random
from array import array
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest
import talib

from cracktrader.kernels.catalog import CATALOG, Signature
from support import reference
from support.shared_data import SHARED_DATA, absent

NAN = float("nan")


@dataclass(frozen=True)
class Oracle:
    """How one kernel is tested: parameters to compare, random parameters, the oracle."""

    cases: tuple  # parameter tuples compared with the oracle
    random_params: Callable  # (rng, length) -> parameters valid for a series of that length
    oracle: Callable  # (columns by input name, *params) -> array or tuple of arrays
    talib: bool = True  # False: the oracle is tests/support/reference.py
    min_length: int = 1  # the shortest series its periods allow


@dataclass(frozen=True)
class Spec:
    """A kernel of the catalog with its oracle."""

    signature: Signature
    test: Oracle

    name = property(lambda self: self.signature.name)
    inputs = property(lambda self: self.signature.inputs)  # argument names, in order
    n_outputs = property(lambda self: len(self.signature.outputs))
    stream_class = property(lambda self: self.signature.stream)
    cases = property(lambda self: self.test.cases)
    random_params = property(lambda self: self.test.random_params)
    oracle = property(lambda self: self.test.oracle)
    min_length = property(lambda self: self.test.min_length)


def _n(rng, length, lo=1, hi=40):
    """A period for a series of `length` values, now and then as long as the series."""
    hi = max(lo, min(length, hi))
    return length if rng.random() < 0.05 and length >= lo else rng.randint(lo, hi)


def _ordered(rng, length, count):
    return tuple(sorted(_n(rng, length) for _ in range(count)))


def _ref(fn):
    """A reference kernel over numpy columns, returning numpy arrays."""
    def oracle(cols, *params):
        out = fn(*[list(c) for c in cols.values()], *params)
        return tuple(np.array(o) for o in out) if isinstance(out, tuple) else np.array(out)
    return oracle


SMA = 0  # TA-Lib's MA type for SMA


def _period(r, m):
    return (_n(r, m),)


def _none(r, m):
    return ()


def _ta(fn, *columns):
    """TA-Lib's `fn` over the named input columns, then the parameters."""
    return lambda c, *params: fn(*[c[name] for name in columns], *params)


# The oracle of every kernel in the catalog (tests/test_kernels_catalog.py checks none is missing).
ORACLES = {
    # Moving averages
    "sma": Oracle(((2,), (20,), (50,)), _period, _ta(talib.SMA, "x")),
    "ema": Oracle(((2,), (20,), (50,)), _period, _ta(talib.EMA, "x")),
    "wma": Oracle(((2,), (20,)), _period, _ta(talib.WMA, "x")),
    "dema": Oracle(((2,), (10,), (30,)), _period, _ta(talib.DEMA, "x")),
    "tema": Oracle(((2,), (10,)), _period, _ta(talib.TEMA, "x")),
    "trima": Oracle(((2,), (3,), (14,), (15,)), _period, _ta(talib.TRIMA, "x")),
    "kama": Oracle(((2,), (10,), (30,)), _period, _ta(talib.KAMA, "x")),
    "smma": Oracle(((1,), (2,), (14,)), _period, _ref(reference.smma), talib=False),
    # Momentum and oscillators
    "trix": Oracle(((2,), (5,), (15,)), _period, _ta(talib.TRIX, "x")),
    "rsi": Oracle(((2,), (14,)), _period, _ta(talib.RSI, "x")),
    "macd": Oracle(((12, 26, 9), (2, 3, 2), (5, 35, 5), (5, 5, 3)),
                   lambda r, m: (*_ordered(r, m, 2), _n(r, m)), _ta(talib.MACD, "x")),
    "stoch": Oracle(((14, 3, 3), (5, 3, 4), (1, 1, 1)), lambda r, m: (_n(r, m), _n(r, m, hi=5), _n(r, m, hi=5)),
                    lambda c, k, sk, sd: talib.STOCH(c["high"], c["low"], c["close"], k, sk, SMA, sd, SMA)),
    "stochf": Oracle(((14, 3), (5, 1)), lambda r, m: (_n(r, m), _n(r, m, hi=5)),
                     lambda c, k, d: talib.STOCHF(c["high"], c["low"], c["close"], k, d, SMA)),
    "stochrsi": Oracle(((14, 5, 3), (7, 3, 2)), lambda r, m: (_n(r, m), _n(r, m, hi=10), _n(r, m, hi=5)),
                       lambda c, n, k, d: talib.STOCHRSI(c["x"], n, k, d, SMA)),
    "cci": Oracle(((2,), (14,), (20,)), _period, _ta(talib.CCI, "high", "low", "close")),
    "willr": Oracle(((2,), (14,)), _period, _ta(talib.WILLR, "high", "low", "close")),
    "mom": Oracle(((1,), (10,)), _period, _ta(talib.MOM, "x")),
    "roc": Oracle(((1,), (10,)), _period, _ta(talib.ROC, "x")),
    "rocp": Oracle(((1,), (10,)), _period, _ta(talib.ROCP, "x")),
    "ultosc": Oracle(((7, 14, 28), (28, 7, 14), (1, 2, 3)), lambda r, m: (_n(r, m), _n(r, m), _n(r, m)),
                     _ta(talib.ULTOSC, "high", "low", "close")),
    "aroon": Oracle(((2,), (14,)), _period, _ta(talib.AROON, "high", "low")),
    "aroonosc": Oracle(((2,), (14,)), _period, _ta(talib.AROONOSC, "high", "low")),
    # Trend
    "adx": Oracle(((2,), (5,), (14,)), _period, _ta(talib.ADX, "high", "low", "close")),
    "adxr": Oracle(((2,), (14,)), _period, _ta(talib.ADXR, "high", "low", "close")),
    "plus_di": Oracle(((2,), (14,)), _period, _ta(talib.PLUS_DI, "high", "low", "close")),
    "minus_di": Oracle(((2,), (14,)), _period, _ta(talib.MINUS_DI, "high", "low", "close")),
    "sar": Oracle(((0.02, 0.2), (0.05, 0.5), (0.1, 0.1)),
                  lambda r, m: (lambda a: (a, a + r.choice([0.0, r.uniform(0, 0.5)])))(r.uniform(0.0, 0.2)),
                  _ta(talib.SAR, "high", "low")),
    "linearreg_slope": Oracle(((2,), (14,), (50,)), lambda r, m: (_n(r, m, lo=2),), _ta(talib.LINEARREG_SLOPE, "x"),
                              min_length=2),
    # Volatility and channels
    "bbands": Oracle(((20, 2.0, 2.0), (5, 1.5, 3.0), (2, 1.0, 0.0)),
                     lambda r, m: (_n(r, m), r.uniform(0, 3), r.uniform(0, 3)),
                     lambda c, n, u, d: talib.BBANDS(c["x"], n, u, d, SMA)),
    "stddev": Oracle(((20, 1.0), (5, 2.5), (2, 1.0)), lambda r, m: (_n(r, m), r.uniform(0, 3)),
                     _ta(talib.STDDEV, "x")),
    "trange": Oracle(((),), _none, _ta(talib.TRANGE, "high", "low", "close")),
    "atr": Oracle(((1,), (5,), (14,)), _period, _ta(talib.ATR, "high", "low", "close")),
    "natr": Oracle(((2,), (14,)), _period, _ta(talib.NATR, "high", "low", "close")),
    "donchian": Oracle(((1,), (20,)), _period, _ref(reference.donchian), talib=False),
    "keltner": Oracle(((20, 2.0, 10), (5, 1.5, 14), (1, 0.0, 1)), lambda r, m: (_n(r, m), r.uniform(0, 3), _n(r, m)),
                      _ref(reference.keltner), talib=False),
    # Volume
    "obv": Oracle(((),), _none, _ta(talib.OBV, "close", "volume")),
    "mfi": Oracle(((2,), (14,)), _period, _ta(talib.MFI, "high", "low", "close", "volume")),
    "vwap": Oracle(((1,), (20,)), _period, _ref(reference.vwap), talib=False),
    # Windows and crossings
    "max": Oracle(((2,), (20,)), _period, _ta(talib.MAX, "x")),
    "min": Oracle(((2,), (20,)), _period, _ta(talib.MIN, "x")),
    "sum": Oracle(((2,), (20,)), _period, _ta(talib.SUM, "x")),
    "crossover": Oracle(((),), _none, _ref(reference.crossover), talib=False),
    "crossunder": Oracle(((),), _none, _ref(reference.crossunder), talib=False),
}
SPECS = [Spec(sig, ORACLES[sig.name]) for sig in CATALOG if sig.name in ORACLES]
BY_NAME = {spec.name: spec for spec in SPECS}


# ---- Market data -------------------------------------------------------------------------


def synthetic(length, seed, price=100.0, move=0.01, flat=0.0):
    """OHLCV bars of a random walk: `flat` is the share of bars repeating the previous close
    with no range (as illiquid markets print)."""
    rng = np.random.default_rng(seed)
    close = price * np.cumprod(1 + rng.uniform(-move, move, length))
    repeat = rng.random(length) < flat
    repeat[0] = False
    for i in np.flatnonzero(repeat):
        close[i] = close[i - 1]
    open_ = np.concatenate([[close[0]], close[:-1]])
    high = np.maximum(open_, close) * (1 + rng.uniform(0, move / 2, length))
    low = np.minimum(open_, close) * (1 - rng.uniform(0, move / 2, length))
    high[repeat], low[repeat], open_[repeat] = close[repeat], close[repeat], close[repeat]
    volume = rng.uniform(1, 1000, length)
    volume[repeat] = 0.0
    return dict(open=open_, high=high, low=low, close=close, volume=volume)


def _csv(path):
    """OHLCV columns of a freqtrade (timestamp,open,...) or backtrader (Date,Open,...,OpenInterest)
    file: both hold open, high, low, close, volume in columns 1-5."""
    raw = np.genfromtxt(path, delimiter=",", skip_header=1, usecols=(1, 2, 3, 4, 5))
    return dict(zip(("open", "high", "low", "close", "volume"), np.ascontiguousarray(raw.T)))


def datasets():
    """Name -> OHLCV columns: generated series always, the shared real data when present."""
    sets = {
        "walk": synthetic(2000, 1),
        "flat": synthetic(2000, 2, flat=0.3),
        "btc": synthetic(2000, 3, price=60_000.0, move=0.001),
        "tiny": synthetic(2000, 4, price=1e-4),
    }
    if SHARED_DATA is not None:
        for path in sorted(SHARED_DATA.glob("*")):
            if path.suffix in (".csv", ".txt"):
                sets[path.stem] = _csv(path)
    return sets


COLUMN_OF = {"x": "close", "high": "high", "low": "low", "close": "close", "volume": "volume", "a": "close", "b": "open"}


def columns(spec, bars):
    """The spec's input columns taken from OHLCV bars (crossings: close against open)."""
    return {name: np.ascontiguousarray(bars[COLUMN_OF[name]], dtype=np.float64) for name in spec.inputs}


def call(kernels, spec, cols, params):
    """Run the batch kernel; always a tuple of outputs."""
    out = getattr(kernels, spec.name)(*cols.values(), *params)
    return out if isinstance(out, tuple) else (out,)


def oracle(spec, cols, params):
    out = spec.oracle(cols, *params)
    return tuple(out) if isinstance(out, tuple) else (out,)


def with_gaps(bars, seed, rate=0.02):
    """Bars with a few NaN and infinite values knocked into random columns."""
    rng = np.random.default_rng(seed)
    holed = {k: v.copy() for k, v in bars.items()}
    length = len(bars["close"])
    for name in ("open", "high", "low", "close", "volume"):
        hit = np.flatnonzero(rng.random(length) < rate / 3)
        holed[name][hit] = rng.choice([np.nan, np.inf, -np.inf], size=len(hit))
    return holed


def by_segment(spec, cols, params):
    """The oracle applied to each stretch of bars whose inputs are all finite, NaN elsewhere:
    what an indicator that restarts after a non-finite value must give."""
    length = len(next(iter(cols.values())))
    finite = np.logical_and.reduce([np.isfinite(c) for c in cols.values()])
    outs = [np.full(length, np.nan) for _ in range(spec.n_outputs)]
    start = 0
    while start < length:
        if not finite[start]:
            start += 1
            continue
        stop = start
        while stop < length and finite[stop]:
            stop += 1
        part = oracle(spec, {k: np.ascontiguousarray(v[start:stop]) for k, v in cols.items()}, params)
        for out, p in zip(outs, part):
            out[start:stop] = p
        start = stop
    return tuple(outs)


def assert_matches(got, want, what, rel=1e-9):
    """Same NaN positions, and every other value within `rel` of the oracle's, relative to the
    value itself or, for values near zero, to the largest magnitude in that output (MACD or a
    slope cross zero, where a relative error of the value alone is meaningless)."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: {got.shape} values, oracle {want.shape}"
    got_nan, want_nan = np.isnan(got), np.isnan(want)
    if (got_nan != want_nan).any():
        i = int(np.flatnonzero(got_nan != want_nan)[0])
        raise AssertionError(f"{what}: NaN differs first at {i}: got {got[i]!r}, oracle {want[i]!r}")
    ok = ~want_nan
    if not ok.any():
        return
    scale = np.max(np.abs(want[ok]))
    err = np.abs(got[ok] - want[ok])
    bound = rel * np.maximum(np.abs(want[ok]), scale)
    if (err > bound).any():
        i = int(np.argmax(err / bound))
        at = int(np.flatnonzero(ok)[i])
        raise AssertionError(f"{what}: index {at}: got {got[at]!r}, oracle {want[at]!r} (error {err[i]:.3g})")


def same_bits(a, b):
    return array("d", a).tobytes() == array("d", b).tobytes()


def random_series(rng, length, holes=0.03):
    """OHLCV columns as lists: a random walk at a random price scale, some bars flat, some
    values NaN or infinite."""
    price = 10 ** rng.uniform(-5, 5)
    bars = {k: [] for k in ("open", "high", "low", "close", "volume")}
    close = price
    for _ in range(length):
        prev = close
        if rng.random() > 0.1:
            close *= 1 + rng.uniform(-0.03, 0.03)
        hi, lo = max(prev, close) * (1 + rng.uniform(0, 0.01)), min(prev, close) * (1 - rng.uniform(0, 0.01))
        for name, value in zip(bars, (prev, hi, lo, close, rng.uniform(0, 100))):
            if rng.random() < holes / 5:
                value = rng.choice([NAN, math.inf, -math.inf])
            bars[name].append(value)
    return bars


def random_case(spec, rng, max_length=300):
    """A random (columns, params) for `spec`: columns as lists with holes, params valid for them."""
    length = rng.randint(spec.min_length, max_length)
    bars = random_series(rng, length)
    cols = {name: bars[COLUMN_OF[name]] for name in spec.inputs}
    return cols, spec.random_params(rng, length)


# ---- The checks every family runs ----------------------------------------------------------

DATASETS = datasets()


def oracle_cases(specs):
    """(spec, params, dataset name) for every parameter case on every dataset; without the shared
    real data, one skipped case per spec says so."""
    cases = [
        pytest.param(spec, params, data, id=f"{spec.name}{list(params)}-{data}")
        for spec in specs for params in spec.cases for data in DATASETS
    ]
    if absent():
        skip = pytest.mark.skip(reason=absent())
        cases += [pytest.param(spec, spec.cases[0], None, id=f"{spec.name}-real", marks=skip) for spec in specs]
    return cases


def check_oracle(kernels, spec, params, data):
    """Every output value and the exact NaN warm-up equal the oracle's on this dataset."""
    cols = columns(spec, DATASETS[data])
    got, want = call(kernels, spec, cols, params), oracle(spec, cols, params)
    assert len(got) == spec.n_outputs
    for i, (g, w) in enumerate(zip(got, want)):
        assert_matches(g, w, f"{spec.name}{params} on {data}, output {i}")


def check_gaps(kernels, spec, params, seed=0):
    """With NaN and infinities knocked in, the output is the oracle of each finite stretch."""
    cols = columns(spec, with_gaps(DATASETS["walk"], seed))
    got, want = call(kernels, spec, cols, params), by_segment(spec, cols, params)
    for i, (g, w) in enumerate(zip(got, want)):
        assert_matches(g, w, f"{spec.name}{params} with gaps, output {i}")


# ---- Bad arguments -------------------------------------------------------------------------

LENGTH = 60  # the series bad calls are made on: long enough for every spec's first case


def parameter_names(kernels, spec):
    import inspect

    names = list(inspect.signature(getattr(kernels, spec.name)).parameters)
    assert names[: len(spec.inputs)] == list(spec.inputs), spec.name
    return names[len(spec.inputs) :]


def bad_calls(kernels, spec):
    """(code, exception name, exact message or None) for bad arguments to `spec`'s kernel and
    streaming class. The code runs with `k` the kernels, `array`, and `x`, a list of LENGTH
    floats; it is plain Python so the very same calls can run under Pyodide."""
    names = parameter_names(kernels, spec)
    good = spec.cases[0]
    cls = spec.stream_class

    def fn_call(inputs, params):
        return f"k.{spec.name}({', '.join(inputs + [repr(p) for p in params])})"

    inputs = ["x"] * len(spec.inputs)
    calls = []
    for i, (name, value) in enumerate(zip(names, good)):
        def with_param(v):
            return tuple(good[:i]) + (v,) + tuple(good[i + 1 :])
        if isinstance(value, int):
            low = 2 if spec.name == "linearreg_slope" else 1
            for v in (low - 1, -3):
                msg = f"{spec.name}: {name} must be >= {low}, got {v}"
                calls.append((fn_call(inputs, with_param(v)), "ValueError", msg))
                calls.append((f"k.{cls}({', '.join(repr(p) for p in with_param(v))})", "ValueError", msg))
            calls.append((fn_call(inputs, with_param(LENGTH + 1)), "ValueError",
                           f"{spec.name}: {name}={LENGTH + 1} is longer than the series ({LENGTH} values)"))
            calls.append((f"k.{cls}({', '.join(repr(p) for p in with_param(1 << 30))})", "ValueError",
                          f"{spec.name}: {name}=1073741824 is too large (at most 16777216)"))
            calls.append((fn_call(inputs, with_param(1.5)), "TypeError", "'float' object cannot be interpreted as an integer"))
            calls.append((fn_call(inputs, with_param(2**70)), "OverflowError", None))
        else:
            calls.append((fn_call(inputs, with_param(float("nan"))).replace("nan", "float('nan')"), "ValueError",
                          f"{spec.name}: {name} must be a finite number, got NaN"))
            calls.append((fn_call(inputs, with_param(-1.0)), "ValueError", f"{spec.name}: {name} must be >= 0, got -1"))
            calls.append((fn_call(inputs, with_param("a")), "TypeError", "must be real number, not str"))
            calls.append((f"k.{cls}({', '.join(repr(p) for p in with_param('a'))})", "TypeError", "must be real number, not str"))
    for j, name in enumerate(spec.inputs):
        def with_input(expr):
            return inputs[:j] + [expr] + inputs[j + 1 :]
        kinds = {
            "array('i', range(60))": f"{spec.name}: {name} must hold float64 values, got a buffer of 'i'",
            "array('f', x)": f"{spec.name}: {name} must hold float64 values, got a buffer of 'f'",
            "'12'": f"{spec.name}: {name} must be a float64 buffer (array('d'), memoryview, numpy float64) or a sequence of numbers, got str",
            "b'12'": f"{spec.name}: {name} must be a float64 buffer (array('d'), memoryview, numpy float64) or a sequence of numbers, got bytes",
            "x[:-1] + ['a']": f"{spec.name}: {name} must be a float64 buffer (array('d'), memoryview, numpy float64) or a sequence of numbers, got list",
            "None": f"{spec.name}: {name} must be a float64 buffer (array('d'), memoryview, numpy float64) or a sequence of numbers, got NoneType",
            "[2**2000] * 60": f"{spec.name}: {name} must be a float64 buffer (array('d'), memoryview, numpy float64) or a sequence of numbers, got list",
        }
        for expr, msg in kinds.items():
            calls.append((fn_call(with_input(expr), good), "TypeError", msg))
        if j > 0:
            calls.append((fn_call(with_input("x[:-1]"), good), "ValueError",
                          f"{spec.name}: {name} has {LENGTH - 1} values but {spec.inputs[0]} has {LENGTH}"))
    state = f"k.{cls}({', '.join(repr(p) for p in good)})"
    bar = ["1.0"] * len(spec.inputs)
    for j in range(len(spec.inputs)):
        for value, kind in (("'a'", "str"), ("None", "NoneType")):
            args = ", ".join(bar[:j] + [value] + bar[j + 1 :])
            calls.append((f"{state}.update({args})", "TypeError", f"must be real number, not {kind}"))
    calls.append((f"{state}.update({', '.join(bar + ['1.0'])})", "TypeError", None))
    return calls


def outcome(code, namespace):
    """What a bad call raises: (exception name, message)."""
    try:
        eval(code, namespace)
    except Exception as e:  # noqa: BLE001 - the point is to capture any
        return type(e).__name__, str(e)
    return None, None
