"""The vectorized signal simulator (wasm/src/vectorized), native or WASM.

`SignalSim(time, open, high, low, close, *, cash, maker, taker, fixed, bps, range, at_close,
policy, leverage, rules=None)` holds one market and the run's settings (`policy`: the index in
`fills.POLICIES`; `rules`: a `MarketRules`). Its methods take a column's spec, `(direction,
sizing, size, stop_loss, take_profit, trail_stop, start)` as numbers (see
`vectorized.signals.kernel_spec`), and its signals (float64, or bool/uint8/int8 buffers):

- `run(spec, entries, exits)` -> `(equity, trades, orders, measures)`, array('d') each: the
  value at every close, flat records of TRADE_FIELDS and ORDER_FIELDS numbers (wasm/src/
  vectorized/account.rs and order.rs say which; an order's reason is an index into REASONS),
  and the run's measures as `measure` gives them;
- `measure([(spec, entries, exits), ...])` -> array('d'): MEASURE_FIELDS numbers per column,
  the fields of `stats.Measures` (NaN for None).

`cracktrader.vectorized` is the API built on it.
"""

from ._backend import implementation

__all__ = ["MEASURE_FIELDS", "ORDER_FIELDS", "REASONS", "SignalSim", "TRADE_FIELDS"]

_impl = implementation("vectorized")

SignalSim = _impl.SignalSim
REASONS = tuple(_impl.VECTORIZED_REASONS)
ORDER_FIELDS, TRADE_FIELDS, MEASURE_FIELDS = (int(x) for x in _impl.VECTORIZED_FIELDS)
