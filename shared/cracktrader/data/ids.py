"""Dataset ids: one string naming a cached series, stable, URL-safe and unambiguous.

    "<exchange>.<symbol>.<timeframe>"   e.g. "binance.BTC-USDT.1h", "binanceusdm.BTC-USDT_USDT.1m"

The exchange is ccxt's id (lower-case letters and digits), the timeframe ccxt's ("1m",
"4h", "1d", "1w"). In the symbol, letters and digits stay, "/" becomes "-", ":" becomes "_",
and any other character becomes "~" and two hex digits per UTF-8 byte ("-" is "~2D", "." is
"~2E"), so every symbol has exactly one id and back. Ids have no "/" and no "..": they are
also the cache's directory names, and a request cannot reach outside it.
"""

import re

from ..candles import timeframe_ms

_ID = re.compile(r"^([a-z0-9]+)\.([A-Za-z0-9_~-]+)\.([1-9][0-9]*[smhdw])$")
_ESCAPE = re.compile(r"~([0-9A-F]{2})")


class BadDatasetId(ValueError):
    pass


def encode_symbol(symbol):
    out = []
    for ch in symbol:
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch == "/":
            out.append("-")
        elif ch == ":":
            out.append("_")
        else:
            out.extend(f"~{b:02X}" for b in ch.encode())
    return "".join(out)


def decode_symbol(text):
    if not re.fullmatch(r"(?:[A-Za-z0-9_-]|~[0-9A-F]{2})+", text):
        raise BadDatasetId(f"bad symbol part {text!r} in a dataset id")
    raw = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "~":
            raw.append(int(text[i + 1 : i + 3], 16))
            i += 3
            continue
        raw.extend({"-": b"/", "_": b":"}.get(ch, ch.encode()))
        i += 1
    try:
        symbol = raw.decode()
    except UnicodeDecodeError:
        raise BadDatasetId(f"bad symbol part {text!r} in a dataset id (not UTF-8)") from None
    if encode_symbol(symbol) != text:  # e.g. "~41" for "A": one id per symbol
        raise BadDatasetId(f"bad symbol part {text!r} in a dataset id (not in canonical form {encode_symbol(symbol)!r})")
    return symbol


def check_exchange(exchange):
    if not isinstance(exchange, str) or not re.fullmatch(r"[a-z0-9]+", exchange):
        raise BadDatasetId(f"bad exchange {exchange!r}: expected a ccxt exchange id (lower-case letters and digits)")
    return exchange


def dataset_id(exchange, symbol, timeframe):
    """The id of (exchange, symbol, timeframe), checking each part."""
    check_exchange(exchange)
    if not symbol:
        raise BadDatasetId("empty symbol")
    try:
        timeframe_ms(timeframe)
    except ValueError as e:
        raise BadDatasetId(str(e)) from None
    return f"{exchange}.{encode_symbol(symbol)}.{timeframe}"


def parse_dataset_id(text):
    """(exchange, symbol, timeframe) of an id, or BadDatasetId."""
    m = _ID.match(text) if isinstance(text, str) else None
    if not m:
        raise BadDatasetId(f"bad dataset id {text!r}: expected exchange.SYMBOL.timeframe, e.g. binance.BTC-USDT.1h")
    exchange, sym, timeframe = m.groups()
    try:
        timeframe_ms(timeframe)
    except ValueError as e:
        raise BadDatasetId(str(e)) from None
    return exchange, decode_symbol(sym), timeframe


def is_dataset_id(text):
    try:
        parse_dataset_id(text)
        return True
    except BadDatasetId:
        return False
