"""Indicator kernels on Pyodide, with the signatures, defaults and errors of the native build
(see wasm/src/bindings/python/indicators.rs, which declares the same kernels)."""

from ._wasm_ffi import call, column, integer, js_kernels, real, run


def _batch(kernel, n_outputs, params, **columns):
    """Run batch `kernel` over the named input columns (in order) with its checked params."""
    names = list(columns)
    cols = [column(kernel, name, value) for name, value in columns.items()]
    for name, col in zip(names[1:], cols[1:]):
        if len(col) != len(cols[0]):
            raise ValueError(f"{kernel}: {name} has {len(col)} values but {names[0]} has {len(cols[0])}")
    return run(getattr(js_kernels, kernel), cols, n_outputs, params)


# Moving averages
def sma(x, n): return _batch("sma", 1, [integer(n)], x=x)
def ema(x, n): return _batch("ema", 1, [integer(n)], x=x)
def wma(x, n): return _batch("wma", 1, [integer(n)], x=x)
def dema(x, n): return _batch("dema", 1, [integer(n)], x=x)
def tema(x, n): return _batch("tema", 1, [integer(n)], x=x)
def trima(x, n): return _batch("trima", 1, [integer(n)], x=x)
def kama(x, n): return _batch("kama", 1, [integer(n)], x=x)
def smma(x, n): return _batch("smma", 1, [integer(n)], x=x)


# Oscillators and momentum
def trix(x, n): return _batch("trix", 1, [integer(n)], x=x)
def rsi(x, n=14): return _batch("rsi", 1, [integer(n)], x=x)


def macd(x, fast=12, slow=26, signal=9):
    return _batch("macd", 3, [integer(fast), integer(slow), integer(signal)], x=x)


def stoch(high, low, close, fastk_period, slowk_period, slowd_period):
    params = [integer(fastk_period), integer(slowk_period), integer(slowd_period)]
    return _batch("stoch", 2, params, high=high, low=low, close=close)


def stochf(high, low, close, fastk_period, fastd_period):
    params = [integer(fastk_period), integer(fastd_period)]
    return _batch("stochf", 2, params, high=high, low=low, close=close)


def stochrsi(x, n, fastk_period, fastd_period):
    return _batch("stochrsi", 2, [integer(n), integer(fastk_period), integer(fastd_period)], x=x)


def cci(high, low, close, n): return _batch("cci", 1, [integer(n)], high=high, low=low, close=close)
def willr(high, low, close, n=14): return _batch("willr", 1, [integer(n)], high=high, low=low, close=close)
def mom(x, n): return _batch("mom", 1, [integer(n)], x=x)
def roc(x, n): return _batch("roc", 1, [integer(n)], x=x)
def rocp(x, n): return _batch("rocp", 1, [integer(n)], x=x)


def ultosc(high, low, close, n1=7, n2=14, n3=28):
    return _batch("ultosc", 1, [integer(n1), integer(n2), integer(n3)], high=high, low=low, close=close)


def aroon(high, low, n=14): return _batch("aroon", 2, [integer(n)], high=high, low=low)
def aroonosc(high, low, n=14): return _batch("aroonosc", 1, [integer(n)], high=high, low=low)


# Trend strength
def adx(high, low, close, n=14): return _batch("adx", 1, [integer(n)], high=high, low=low, close=close)
def adxr(high, low, close, n=14): return _batch("adxr", 1, [integer(n)], high=high, low=low, close=close)
def plus_di(high, low, close, n=14): return _batch("plus_di", 1, [integer(n)], high=high, low=low, close=close)
def minus_di(high, low, close, n=14): return _batch("minus_di", 1, [integer(n)], high=high, low=low, close=close)


def sar(high, low, acceleration=0.02, maximum=0.2):
    return _batch("sar", 1, [real(acceleration), real(maximum)], high=high, low=low)


def linearreg_slope(x, n): return _batch("linearreg_slope", 1, [integer(n)], x=x)


# Volatility and channels
def bbands(x, n, k_up=2.0, k_down=2.0):
    return _batch("bbands", 3, [integer(n), real(k_up), real(k_down)], x=x)


def stddev(x, n, k=1.0): return _batch("stddev", 1, [integer(n), real(k)], x=x)
def trange(high, low, close): return _batch("trange", 1, [], high=high, low=low, close=close)
def atr(high, low, close, n=14): return _batch("atr", 1, [integer(n)], high=high, low=low, close=close)
def natr(high, low, close, n=14): return _batch("natr", 1, [integer(n)], high=high, low=low, close=close)
def donchian(high, low, n): return _batch("donchian", 3, [integer(n)], high=high, low=low)


def keltner(high, low, close, n, k, atr_n):
    return _batch("keltner", 3, [integer(n), real(k), integer(atr_n)], high=high, low=low, close=close)


# Volume
def obv(close, volume): return _batch("obv", 1, [], close=close, volume=volume)


def mfi(high, low, close, volume, n=14):
    return _batch("mfi", 1, [integer(n)], high=high, low=low, close=close, volume=volume)


def vwap(high, low, close, volume, n):
    return _batch("vwap", 1, [integer(n)], high=high, low=low, close=close, volume=volume)


# Windows and crossings
def max(x, n): return _batch("max", 1, [integer(n)], x=x)
def min(x, n): return _batch("min", 1, [integer(n)], x=x)
def sum(x, n): return _batch("sum", 1, [integer(n)], x=x)
def crossover(a, b): return _batch("crossover", 1, [], a=a, b=b)
def crossunder(a, b): return _batch("crossunder", 1, [], a=a, b=b)


class _Stream:
    """A streaming state living in WASM memory; `update` is bit-identical to the native one."""

    __slots__ = ("_state",)
    outputs = 1

    def __new__(cls, *params):
        self = object.__new__(cls)
        self._state = call(getattr(js_kernels, cls.__name__).new, *params)
        return self

    def _update(self, *bar):
        result = self._state.update(*[real(v) for v in bar])
        return result if self.outputs == 1 else tuple(result.to_py())

    def __del__(self):
        if hasattr(self, "_state"):
            self._state.free()  # wasm-bindgen objects live in WASM memory until freed


class _Multi(_Stream):
    __slots__ = ()
    outputs = 2  # or 3: a tuple either way


class Sma(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Ema(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Wma(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Dema(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Tema(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Trima(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Kama(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Smma(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Trix(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Rsi(_Stream):
    def __new__(cls, n=14): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Macd(_Multi):
    def __new__(cls, fast=12, slow=26, signal=9):
        return super().__new__(cls, integer(fast), integer(slow), integer(signal))
    def update(self, x): return self._update(x)


class Stoch(_Multi):
    def __new__(cls, fastk_period, slowk_period, slowd_period):
        return super().__new__(cls, integer(fastk_period), integer(slowk_period), integer(slowd_period))
    def update(self, high, low, close): return self._update(high, low, close)


class Stochf(_Multi):
    def __new__(cls, fastk_period, fastd_period):
        return super().__new__(cls, integer(fastk_period), integer(fastd_period))
    def update(self, high, low, close): return self._update(high, low, close)


class Stochrsi(_Multi):
    def __new__(cls, n, fastk_period, fastd_period):
        return super().__new__(cls, integer(n), integer(fastk_period), integer(fastd_period))
    def update(self, x): return self._update(x)


class Cci(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, high, low, close): return self._update(high, low, close)


class Willr(_Stream):
    def __new__(cls, n=14): return super().__new__(cls, integer(n))
    def update(self, high, low, close): return self._update(high, low, close)


class Mom(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Roc(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Rocp(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Ultosc(_Stream):
    def __new__(cls, n1=7, n2=14, n3=28): return super().__new__(cls, integer(n1), integer(n2), integer(n3))
    def update(self, high, low, close): return self._update(high, low, close)


class Aroon(_Multi):
    def __new__(cls, n=14): return super().__new__(cls, integer(n))
    def update(self, high, low): return self._update(high, low)


class Aroonosc(_Stream):
    def __new__(cls, n=14): return super().__new__(cls, integer(n))
    def update(self, high, low): return self._update(high, low)


class Adx(_Stream):
    def __new__(cls, n=14): return super().__new__(cls, integer(n))
    def update(self, high, low, close): return self._update(high, low, close)


class Adxr(_Stream):
    def __new__(cls, n=14): return super().__new__(cls, integer(n))
    def update(self, high, low, close): return self._update(high, low, close)


class PlusDi(_Stream):
    def __new__(cls, n=14): return super().__new__(cls, integer(n))
    def update(self, high, low, close): return self._update(high, low, close)


class MinusDi(_Stream):
    def __new__(cls, n=14): return super().__new__(cls, integer(n))
    def update(self, high, low, close): return self._update(high, low, close)


class Sar(_Stream):
    def __new__(cls, acceleration=0.02, maximum=0.2): return super().__new__(cls, real(acceleration), real(maximum))
    def update(self, high, low): return self._update(high, low)


class LinearregSlope(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Bbands(_Multi):
    def __new__(cls, n, k_up=2.0, k_down=2.0): return super().__new__(cls, integer(n), real(k_up), real(k_down))
    def update(self, x): return self._update(x)


class Stddev(_Stream):
    def __new__(cls, n, k=1.0): return super().__new__(cls, integer(n), real(k))
    def update(self, x): return self._update(x)


class Trange(_Stream):
    def __new__(cls): return super().__new__(cls)
    def update(self, high, low, close): return self._update(high, low, close)


class Atr(_Stream):
    def __new__(cls, n=14): return super().__new__(cls, integer(n))
    def update(self, high, low, close): return self._update(high, low, close)


class Natr(_Stream):
    def __new__(cls, n=14): return super().__new__(cls, integer(n))
    def update(self, high, low, close): return self._update(high, low, close)


class Donchian(_Multi):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, high, low): return self._update(high, low)


class Keltner(_Multi):
    def __new__(cls, n, k, atr_n): return super().__new__(cls, integer(n), real(k), integer(atr_n))
    def update(self, high, low, close): return self._update(high, low, close)


class Obv(_Stream):
    def __new__(cls): return super().__new__(cls)
    def update(self, close, volume): return self._update(close, volume)


class Mfi(_Stream):
    def __new__(cls, n=14): return super().__new__(cls, integer(n))
    def update(self, high, low, close, volume): return self._update(high, low, close, volume)


class Vwap(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, high, low, close, volume): return self._update(high, low, close, volume)


class Max(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Min(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Sum(_Stream):
    def __new__(cls, n): return super().__new__(cls, integer(n))
    def update(self, x): return self._update(x)


class Crossover(_Stream):
    def __new__(cls): return super().__new__(cls)
    def update(self, a, b): return self._update(a, b)


class Crossunder(_Stream):
    def __new__(cls): return super().__new__(cls)
    def update(self, a, b): return self._update(a, b)
