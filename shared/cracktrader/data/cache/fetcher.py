"""Fetching candles from an exchange into the cache, through ccxt (server only).

Only the parts of [since, until) the cache has not covered yet are fetched, page by page
(`fetch_ohlcv` with the exchange's largest page), under ccxt's rate limiter. Network errors,
timeouts and 5xx answers are retried with exponential backoff, HTTP 429/418 after the
exchange's Retry-After; other errors stop at once. Bars are stored as they come (every
`flush_rows` bars), so an interrupted fetch keeps what it got and the next one resumes. Only
complete bars are stored (the exchange's clock says which), and a stretch the exchange has no
bars for is recorded as a gap, not fetched again.
"""

import email.utils
import time
from array import array
from dataclasses import dataclass, field

from ...candles import Candles, timeframe_ms
from . import ranges
from ..errors import DataError
from ..ids import BadDatasetId, dataset_id


class FetchError(Exception):
    """A fetch that cannot go on; the message is one line for people."""


@dataclass
class FetchReport:
    dataset: str
    since: int = 0
    until: int = 0
    rows: int = 0  # bars stored
    requests: int = 0
    retries: int = 0
    duplicates: int = 0  # repeated bars the exchange sent, dropped
    fetched: list = field(default_factory=list)  # ranges fetched
    gaps: list = field(default_factory=list)  # ranges in them without bars at the exchange
    up_to_date: bool = False


def fetch(exchange, symbol, timeframe, since=None, until=None, *, cache=None, options=None, progress=None,
          retries=5, backoff=1.0, max_wait=60.0, flush_rows=200_000, sleep=time.sleep):
    """Fetches the missing bars of [since, until) (UTC ms; until defaults to now) into the cache.

    `exchange` is a ccxt id (created with `options`) or a ccxt Exchange. Without `since`, the
    dataset is brought up to date from the end of what is cached. `progress(done_ms,
    total_ms, rows)` is called after every page. Returns a FetchReport; raises FetchError.
    """
    from .store import Cache

    store = cache if isinstance(cache, Cache) else Cache(cache)
    client = _client(exchange, options)
    try:
        ds_id = dataset_id(client.id, symbol, timeframe)
    except BadDatasetId as e:
        raise FetchError(str(e)) from None
    tf = timeframe_ms(timeframe)
    report = FetchReport(ds_id)
    caller = _Caller(client, retries, backoff, max_wait, sleep, report)
    caller(client.load_markets)
    if symbol not in client.markets:
        raise FetchError(f"{client.id} has no market {symbol}")
    if client.timeframes and timeframe not in client.timeframes:
        raise FetchError(f"{client.id} has no {timeframe} candles (it has {', '.join(client.timeframes)})")
    now = caller(client.fetch_time) if client.has.get("fetchTime") else client.milliseconds()
    complete = now // tf * tf  # bars opening before this have closed
    until = complete if until is None else min(until // tf * tf, complete)
    if since is None:
        m = store.manifest(ds_id)
        if m is None or not m.covered:
            raise FetchError(f"{ds_id} is not cached yet: give --since")
        since = m.covered[-1][1]
    since = since // tf * tf
    if since >= until:
        raise FetchError(f"nothing to fetch: the range starts at or after its end ({_iso(since)} >= {_iso(until)}; "
                         "bars are fetched up to now, once closed)")
    report.since, report.until = since, until
    missing = store.missing(ds_id, since, until)
    if not missing:
        report.up_to_date = True
        return report
    total = ranges.total(missing)
    limit = _page_limit(client, symbol)
    done = 0
    for start, end in missing:
        pager = _Pager(store, client, symbol, timeframe, tf, start, end, flush_rows, report)
        try:
            while pager.cursor < end:
                batch = caller(client.fetch_ohlcv, symbol, timeframe, since=pager.cursor, limit=limit, params={"until": end - 1})
                before = pager.cursor
                pager.add(batch)
                done += pager.cursor - before
                if progress:
                    progress(done, total, report.rows + len(pager.buffer))
            pager.flush(end)
        except BaseException:
            try:
                pager.flush(pager.cursor)  # keep what was fetched: the next fetch resumes after it
            except Exception:
                pass  # (the data itself was bad) the error being raised says what went wrong
            raise
        report.fetched.append((start, end))
    m = store.manifest(ds_id)
    report.gaps = ranges.intersect(m.gaps, report.fetched)
    return report


class _Pager:
    """Collects one range's pages and stores them, each flush covering [flushed, cursor)."""

    def __init__(self, store, client, symbol, timeframe, tf, start, end, flush_rows, report):
        self.store, self.client, self.symbol, self.timeframe, self.tf = store, client, symbol, timeframe, tf
        self.end, self.flush_rows, self.report = end, flush_rows, report
        self.cursor = self.flushed = start
        self.buffer = []

    def add(self, batch):
        rows = [r for r in batch if self.cursor <= r[0] < self.end]
        if not rows:
            self.cursor = self.end  # nothing from here to the end: a gap at the exchange
            return
        rows.sort(key=lambda r: r[0])
        unique = []
        for r in rows:  # a repeated bar: keep the last one sent
            if unique and unique[-1][0] == r[0]:
                unique[-1] = r
                self.report.duplicates += 1
            else:
                unique.append(r)
        self.buffer.extend(unique)
        self.cursor = unique[-1][0] + self.tf
        if len(self.buffer) >= self.flush_rows:
            self.flush(self.cursor)

    def flush(self, until):
        if until <= self.flushed:
            return
        cols = [array("q", (int(r[0]) for r in self.buffer))]
        for i in range(1, 6):
            cols.append(array("d", (float("nan") if r[i] is None else float(r[i]) for r in self.buffer)))
        candles = Candles(*cols, symbol=self.symbol, timeframe=self.timeframe, exchange=self.client.id)
        try:
            self.store.write(candles, covered=(self.flushed, until))
        except DataError as e:
            where = f"bar at {_iso(candles.time[e.row - 1])}" if e.row else "bar"
            raise FetchError(f"{self.client.id} sent an invalid {self.symbol} {self.timeframe} {where}: {e.detail} [{e.rule}]") from None
        self.report.rows += len(candles)
        self.flushed = until
        self.buffer = []


class _Caller:
    """Calls ccxt with retries: backoff on network errors, Retry-After on 429/418."""

    def __init__(self, client, retries, backoff, max_wait, sleep, report):
        self.client, self.retries, self.backoff, self.max_wait, self.sleep, self.report = client, retries, backoff, max_wait, sleep, report

    def __call__(self, fn, *args, **kwargs):
        import ccxt

        for attempt in range(self.retries + 1):
            self.report.requests += 1
            try:
                return fn(*args, **kwargs)
            except ccxt.DDoSProtection as e:  # 429 / 418 (RateLimitExceeded is one)
                error, wait = e, _retry_after(self.client) or self.backoff * 2**attempt
            except ccxt.NetworkError as e:  # timeouts, 5xx, broken connections
                error, wait = e, self.backoff * 2**attempt
            except ccxt.BaseError as e:
                raise FetchError(f"{self.client.id}: {_short(e)}") from None
            if attempt == self.retries:
                raise FetchError(f"{self.client.id} failed {attempt + 1} times, last: {type(error).__name__}: {_short(error)}") from None
            self.report.retries += 1
            self.sleep(min(wait, self.max_wait))


def _retry_after(client):
    headers = getattr(client, "last_response_headers", None) or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _iso(ms):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def _short(error):
    text = " ".join(str(error).split())
    return text if len(text) <= 200 else text[:199] + "…"


def _client(exchange, options):
    import ccxt

    if isinstance(exchange, ccxt.Exchange):
        return exchange
    cls = getattr(ccxt, str(exchange), None)
    if not (isinstance(cls, type) and issubclass(cls, ccxt.Exchange)):
        raise FetchError(f"unknown exchange {exchange!r} (not a ccxt exchange id)")
    return cls({"enableRateLimit": True, **(options or {})})


def _page_limit(client, symbol):
    """The exchange's largest candle page for this market, when ccxt knows it."""
    market = client.markets[symbol]
    kind = market.get("type") or "spot"
    feature = (client.features or {}).get(kind) or {}
    if kind in ("swap", "future"):
        feature = feature.get("linear" if market.get("linear") else "inverse") or {}
    return ((feature or {}).get("fetchOHLCV") or {}).get("limit")
