"""Indicator kernels: batch functions over float64 columns, and streaming states fed one bar
at a time whose outputs are bit-identical to the batch functions."""

from ._backend import implementation

__all__ = ["sma", "Sma"]

_impl = implementation("indicators")

sma = _impl.sma
Sma = _impl.Sma
