"""Indicator kernels: batch functions over float64 columns, and streaming states fed one bar
at a time whose outputs are bit-identical to the batch functions. See docs/indicators.md; what
each one takes and gives is in `catalog`."""

from ._backend import implementation
from .catalog import CATALOG

FUNCTIONS = [s.name for s in CATALOG]
CLASSES = [s.stream for s in CATALOG]  # the streaming class of each function

__all__ = FUNCTIONS + CLASSES

_impl = implementation("indicators")
globals().update({name: getattr(_impl, name) for name in __all__})
