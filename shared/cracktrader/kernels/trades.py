"""Candles from trades (wasm/src/trades), equal to the exchange's klines for the same trades.

- `candles_from_trades(time, price, amount, timeframe_ms, now=None)` -> eight columns
  `(time, open, high, low, close, volume, quote_volume, trades)` (buffers: 'q' for time and
  trades, 'd' for the others): one bar per interval of the timeframe's UTC grid from the first
  trade's to the last one's (or to the one forming at `now`); intervals without trades repeat
  the previous close with zero volume, as Binance's klines do. The last bar is the forming one.
  Volumes are exact decimal sums (0.1 + 0.2 gives 0.3, as the exchange says).
- `CandleBuilder(timeframe_ms)`: the same fed trade by trade. `update(time, price, amount)` and
  `advance(now)` return the bars they closed, `forming()` the bar forming (or None), each bar a
  tuple `(time, open, high, low, close, volume, quote_volume, trades)`; closed bars then the
  forming one equal the batch form over the same trades.

Trades come in time order (UTC ms), with finite prices and amounts > 0; anything else is a
`ValueError` naming the trade (its row, in the batch form).
"""

from ._backend import implementation

__all__ = ["CandleBuilder", "candles_from_trades"]

_impl = implementation("trades")

candles_from_trades = _impl.candles_from_trades
CandleBuilder = _impl.CandleBuilder
