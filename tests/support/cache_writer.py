"""A separate process writing to a cache, for the concurrency and crash tests.

    python cache_writer.py ROOT FIRST COUNT CHUNK LEVEL

writes 1m bars FIRST..FIRST+COUNT of binance BTC/USDT in writes of CHUNK bars; every bar's
close is LEVEL + its index / 1000, so a reader can tell which writer wrote what."""

import sys
from array import array

from cracktrader.candles import Candles
from cracktrader.data import Cache

START = 1_704_067_200_000


def bars(first, count, level):
    idx = range(first, first + count)
    close = array("d", (level + i / 1000 for i in idx))
    return Candles(array("q", (START + i * 60_000 for i in idx)), close, array("d", (c + 1 for c in close)),
                   array("d", (c - 1 for c in close)), close, array("d", [1.0]) * count,
                   symbol="BTC/USDT", timeframe="1m", exchange="binance")


def main(root, first, count, chunk, level):
    cache = Cache(root)
    for at in range(first, first + count, chunk):
        cache.write(bars(at, min(chunk, first + count - at), level))
    print("done", flush=True)


if __name__ == "__main__":
    root, *numbers = sys.argv[1:]
    main(root, *map(int, numbers[:4]))
