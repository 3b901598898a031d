"""What a candle file says it holds (exchange, symbol, timeframe), for `data import` without
options:

- the metadata our Parquet and Arrow exports carry (it beats the name);
- our exports and dataset ids: `binance.BTC-USDT.1h.csv` -> exchange, symbol and timeframe;
- freqtrade's layout: `<exchange>/BTC_USDT-1h.csv`, `XRP_USDT_USDT-5m-futures.feather` ->
  symbol (`XRP/USDT:USDT`) and timeframe; the exchange is the parent directory's name when it
  is a ccxt exchange id.
"""

import re
from importlib.util import find_spec
from pathlib import Path

from ..ids import BadDatasetId, parse_dataset_id
from . import CSV_SUFFIXES, PARQUET_SUFFIXES

_FREQTRADE = re.compile(r"^([A-Z0-9]+)_([A-Z0-9]+)(?:_([A-Z0-9]+))?-([1-9][0-9]*[smhdw])(?:-(?:futures|mark|index|funding_rate))?$")


def identify(path):
    """{"exchange", "symbol", "timeframe"} as far as the file tells (missing keys unknown)."""
    path = Path(path)
    found = _from_name(path)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        try:
            from .parquet import read_info
        except ImportError:  # no pyarrow: the name is all there is
            return found
        found.update(read_info(path))
    return found


def _from_name(path):
    stem = path.name.removesuffix(".gz")
    if Path(stem).suffix.lower() in CSV_SUFFIXES + PARQUET_SUFFIXES:
        stem = Path(stem).stem
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
    if is_ccxt_exchange(parent):
        found["exchange"] = parent
    return found


def is_ccxt_exchange(name):
    """Whether `name` is a ccxt exchange id, without importing ccxt (it is
    slow to import): ccxt has one module per exchange, named by its id."""
    spec = find_spec("ccxt") if re.fullmatch(r"[a-z0-9]+", name) else None
    return bool(spec) and any((Path(d) / f"{name}.py").is_file() for d in spec.submodule_search_locations)
