"""A session's bars: the warm-up history from the candle cache (fetching what is missing
through `cracktrader.data.fetch`), then each closed bar from the exchange; new bars are added
to the cache in batches (a cache write rewrites a partition file: not once a bar)."""

from ..candles import Candles

FLUSH_EVERY = 500  # live bars between cache writes, and at least an hour's


def cache_for(config):
    """The candle cache of a session; a sandbox's candles go to <cache>/sandbox, apart from the
    real exchange's."""
    from ..data import Cache

    cache = Cache(config.cache)
    return Cache(cache.root / "sandbox") if config.sandbox else cache


def history(client, config, count, now):
    """The `count` bars closed last before `now` (the exchange's time), as Candles."""
    from ..data import fetch, load_data

    tf = config.bar_ms
    end = now // tf * tf  # bars opening before this have closed
    empty = Candles.from_columns([], [], [], [], [], [], symbol=config.symbol, timeframe=config.timeframe,
                                 exchange=client.id)
    if count <= 0:
        return empty
    since = end - count * tf
    cache = cache_for(config)
    report = fetch(client, config.symbol, config.timeframe, since, end, cache=cache)
    candles = load_data(report.dataset, since=since, until=end, cache=cache.root)
    candles.symbol, candles.exchange = config.symbol, client.id
    return candles


class CacheAppender:
    """Collects live bars and writes them to the cache every FLUSH_EVERY bars (at least an
    hour's) and at the end."""

    def __init__(self, config, exchange_id, log):
        self.config, self.exchange_id, self.log = config, exchange_id, log
        self.rows = []
        self.every = max(FLUSH_EVERY, 3_600_000 // config.bar_ms)

    def add(self, bar):
        self.rows.append(bar)
        if len(self.rows) >= self.every:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        try:
            candles = Candles.from_columns(*zip(*rows), symbol=self.config.symbol, timeframe=self.config.timeframe,
                                           exchange=self.exchange_id)
            cache_for(self.config).write(candles, covered=(rows[0][0], rows[-1][0] + self.config.bar_ms))
            import pyarrow

            pyarrow.default_memory_pool().release_unused()  # the partition just rewritten: not kept
        except Exception as e:  # noqa: BLE001 - the cache is a convenience: never stop trading for it
            self.log(f"could not add {len(rows)} bars to the candle cache: {type(e).__name__}: {e}")
