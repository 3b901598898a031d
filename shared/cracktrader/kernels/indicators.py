"""Indicator kernels: batch functions over float64 columns, and streaming states fed one bar
at a time whose outputs are bit-identical to the batch functions. See docs/indicators.md."""

from ._backend import implementation

FUNCTIONS = [
    "sma", "ema", "wma", "dema", "tema", "trima", "kama", "smma", "trix", "rsi", "macd", "stoch",
    "stochf", "stochrsi", "cci", "willr", "mom", "roc", "rocp", "ultosc", "aroon", "aroonosc",
    "adx", "adxr", "plus_di", "minus_di", "sar", "linearreg_slope", "bbands", "stddev", "trange",
    "atr", "natr", "donchian", "keltner", "obv", "mfi", "vwap", "max", "min", "sum", "crossover",
    "crossunder",
]
# The streaming class of each function: its name in CamelCase.
CLASSES = ["".join(part.capitalize() for part in name.split("_")) for name in FUNCTIONS]

__all__ = FUNCTIONS + CLASSES

_impl = implementation("indicators")
globals().update({name: getattr(_impl, name) for name in __all__})
