"""What a candle file's name says about it, for `data import` without options.

- our exports and dataset ids: `binance.BTC-USDT.1h.csv` -> exchange, symbol and timeframe;
- freqtrade's layout: `<exchange>/BTC_USDT-1h.csv`, `XRP_USDT_USDT-5m-futures.feather` ->
  symbol (`XRP/USDT:USDT`) and timeframe; the exchange is the parent directory's name when it
  is a known exchange id.
"""

import re
from pathlib import Path

from .ids import BadDatasetId, parse_dataset_id

_FREQTRADE = re.compile(r"^([A-Z0-9]+)_([A-Z0-9]+)(?:_([A-Z0-9]+))?-([1-9][0-9]*[smhdw])(?:-(?:futures|mark|index|funding_rate))?$")


def infer(path, known_exchanges=()):
    """{"exchange", "symbol", "timeframe"} as far as the name tells (missing keys unknown)."""
    path = Path(path)
    stem = path.name
    for suffix in (".csv", ".txt", ".tsv", ".parquet", ".pq", ".feather", ".gz"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    try:
        exchange, symbol, timeframe = parse_dataset_id(stem)
        return dict(exchange=exchange, symbol=symbol, timeframe=timeframe)
    except BadDatasetId:
        pass
    found = {}
    m = _FREQTRADE.match(stem)
    if m:
        base, quote, settle, timeframe = m.groups()
        found = dict(symbol=f"{base}/{quote}" + (f":{settle}" if settle else ""), timeframe=timeframe)
    parent = path.resolve().parent.name.lower()
    if parent in known_exchanges:
        found["exchange"] = parent
    return found
