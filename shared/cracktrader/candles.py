"""Candles: OHLCV columns with UTC millisecond times — what the engine reads, the cache stores,
and the browser receives.

Columns are plain arrays: `time` is array('q') (UTC ms, strictly increasing), the prices and
volume are array('d'). No numpy: the same object works on CPython and Pyodide.
"""

from array import array
from dataclasses import dataclass, field

PRICE_COLUMNS = ("open", "high", "low", "close", "volume")
COLUMNS = ("time", *PRICE_COLUMNS)

_UNIT_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


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
