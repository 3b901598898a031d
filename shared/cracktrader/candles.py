"""Candles: OHLCV columns with UTC millisecond times — what the engine reads, the cache stores,
and the browser receives.

Columns are flat buffers of 8-byte values: `time` int64 (UTC ms, strictly increasing), the
prices and volume float64. Each is either an array ('q' / 'd') or a read-only memoryview of
that format — the cache hands out views of Arrow's memory (no copy of millions of rows),
the CSV reader with `copy=False` views of the kernel's. Both index, slice, iterate, compare
and `len()` alike, and every kernel takes either. Code that changes a column (a live feed
appends bars) takes its own array first: `to_array(column, typecode)`. No numpy: the same
object works on CPython and Pyodide.
"""

from array import array
from dataclasses import dataclass, field

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
COLUMNS = ("time", *PRICE_COLUMNS)

_UNIT_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def to_array(column, typecode):
    """A new array(typecode) with the column's values: one memory copy from an array or
    buffer of that type, else converted value by value (lists, other types)."""
    if isinstance(column, array) and column.typecode == typecode:
        return array(typecode, column)
    if isinstance(column, memoryview) and column.format == typecode and column.c_contiguous:
        out = array(typecode)
        out.frombytes(column.cast("B"))
        return out
    return array(typecode, column)


def timeframe_ms(timeframe):
    """Milliseconds in a ccxt-style timeframe ("1m", "5m", "4h", "1d", "1w")."""
    if not isinstance(timeframe, str) or len(timeframe) < 2 or timeframe[-1] not in _UNIT_MS:
        raise ValueError(f"unknown timeframe {timeframe!r}: expected a number and one of s, m, h, d, w (e.g. '5m')")
    count = timeframe[:-1]
    if not count.isdigit() or int(count) < 1:
        raise ValueError(f"unknown timeframe {timeframe!r}: expected a number and one of s, m, h, d, w (e.g. '5m')")
    return int(count) * _UNIT_MS[timeframe[-1]]


@dataclass(eq=False)
class Candles:
    time: array
    open: array
    high: array
    low: array
    close: array
    volume: array
    symbol: str = ""
    timeframe: str = ""  # ccxt style, "" when unknown
    exchange: str = ""
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        n = len(self.time)
        for name in PRICE_COLUMNS:
            if len(getattr(self, name)) != n:
                raise ValueError(f"candles: column {name} has {len(getattr(self, name))} rows, time has {n}")

    @classmethod
    def from_columns(cls, time, open, high, low, close, volume, **info):
        """Candles from any sequences (lists, arrays, buffers): times as int ms, the rest float."""
        return cls(
            array("q", time), array("d", open), array("d", high), array("d", low),
            array("d", close), array("d", volume), **info,
        )

    def __len__(self):
        return len(self.time)

    def __reduce__(self):
        # Views cannot be pickled (to another process, say): their values go as arrays.
        cols = (to_array(self.time, "q"), *(to_array(getattr(self, name), "d") for name in PRICE_COLUMNS))
        return Candles, (*cols, self.symbol, self.timeframe, self.exchange, self.meta)

    def columns(self):
        """The columns by name, in COLUMNS order."""
        return {name: getattr(self, name) for name in COLUMNS}

    def slice(self, start, stop=None):
        """Rows [start, stop) as new Candles with the same symbol, timeframe and exchange."""
        cut = {name: col[start:stop] for name, col in self.columns().items()}
        return Candles(**cut, symbol=self.symbol, timeframe=self.timeframe, exchange=self.exchange, meta=dict(self.meta))

    def __repr__(self):
        span = f"{self.time[0]}..{self.time[-1]}" if len(self) else "empty"
        what = " ".join(x for x in (self.exchange, self.symbol, self.timeframe) if x)
        return f"<Candles {what + ' ' if what else ''}{len(self)} rows {span}>"
