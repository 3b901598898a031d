"""The validity rules (one Rust kernel for both runtimes) applied to candles, as DataErrors.

Rules, by stable name: missing_column, missing_value, not_a_number, bad_time,
mixed_time_units, malformed_csv, unsorted, duplicate_time, inconsistent_timeframe, nan,
infinite, high_below_open_close, low_above_open_close, negative_volume, bad_type, empty,
bad_timeframe. Rows are 1-based: file lines for CSV (the header is line 1), data rows for
Parquet.
"""

from ..candles import timeframe_ms
from .errors import DataError

_UNITS = (("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000))


def timeframe_name(ms):
    """A ccxt-style timeframe for a bar length in ms: 60000 -> '1m', 5400000 -> '90m'."""
    for unit, size in _UNITS:
        if ms > 0 and ms % size == 0:
            return f"{ms // size}{unit}"
    raise ValueError(f"bars {ms} ms apart have no timeframe name (timeframes are whole seconds)")


def check(candles, source, timeframe=None, row_of=lambda i: i + 1):
    """Checks `candles` against the rules; sets and returns their timeframe (given, or the
    most common step). `row_of` maps a 0-based row to the row number shown in errors."""
    from ..kernels import ohlcv

    if len(candles) == 0:
        raise DataError(source, None, None, "empty", "no candles")
    declared = bool(timeframe)
    if declared:
        try:
            tf = timeframe_ms(timeframe)
        except ValueError as e:
            raise DataError(source, None, "time", "bad_timeframe", str(e)) from None
    else:
        tf = ohlcv.infer_timeframe(candles.time) or 0
        try:
            timeframe = timeframe_name(tf) if tf else ""
        except ValueError as e:
            raise DataError(source, None, "time", "bad_timeframe", str(e)) from None
    c = candles
    violation = ohlcv.validate(c.time, c.open, c.high, c.low, c.close, c.volume, tf)
    if violation:
        row, field, rule, detail = violation
        if rule == "inconsistent_timeframe" and not declared:
            detail += f" (the timeframe {timeframe} is the most common step; give the timeframe if it is another)"
        raise DataError(source, row_of(row), field, rule, detail)
    if declared and len(c) > 1 and ohlcv.infer_timeframe(c.time) != tf:
        # Steps are whole numbers of bars (checked above); if no two bars are one bar apart,
        # the declared timeframe is too short (5m bars called 1m).
        t = c.time
        step = min(b - a for a, b in zip(t, t[1:]))
        if step != tf:
            raise DataError(source, None, "time", "inconsistent_timeframe",
                            f"no two bars are closer than {timeframe_name(step)}: these are not {timeframe} bars")
    candles.timeframe = timeframe
    return timeframe
