"""Candles at a longer timeframe: exact OHLCV aggregation by the kernel (see
wasm/src/ohlcv/resample.rs for the rules: epoch-aligned periods, Monday weeks, gaps kept)."""

from array import array

from ..candles import Candles, timeframe_ms


def resample(candles, timeframe):
    """`candles` aggregated to `timeframe` (a whole multiple of theirs)."""
    from ..kernels import ohlcv

    if not candles.timeframe:
        raise ValueError("resample: the candles have no timeframe (load them with one)")
    c = candles
    cols = ohlcv.resample(c.time, c.open, c.high, c.low, c.close, c.volume, timeframe_ms(c.timeframe), timeframe_ms(timeframe))
    out = []
    for col, code in zip(cols, "qddddd"):
        a = array(code)
        a.frombytes(memoryview(col).cast("B"))
        out.append(a)
    return Candles(*out, symbol=c.symbol, timeframe=timeframe, exchange=c.exchange)
