"""Many columns of signals in one call, down to their statistics, in bounded memory.

Each column is simulated by the kernel and reduced to its measures (`stats.Measures`) at
once, so only one equity column is held at a time and a column's signals only while its batch
runs; the statistics are `stats.summarize` of those measures, the same numbers as the
column's `ct.backtest` except the buy-and-hold figures (`benchmark_return`, `alpha`, `beta`:
null, as the kernel's measures do not hold the sums over the equity and the benchmark they
need). The `top` best columns by `objective` are run again in full for their
Results (equity curve, trades, orders).
"""

import heapq

from ..backtest import prepare
from ..stats import summarize
from ..strategy import Strategy
from .plan import why_not
from .signals import ArraySignals, SignalStrategy, Signals, evaluate, kernel_spec

BATCH_VALUES = 1 << 23  # signal values per kernel call (two columns of 8 bytes each per column)


class Sweep:
    """A sweep's outcome: `stats`, one dict per column in column order (the statistics with
    "column": its index, or {"column", "error"} for a column that failed), and `best`, the
    [(column, Result)] of the `top` columns by `objective`, best first."""

    __slots__ = ("stats", "best", "objective", "minimize")

    def __init__(self, stats, best, objective, minimize):
        self.stats, self.best, self.objective, self.minimize = stats, best, objective, minimize

    def __repr__(self):
        lead = f", best column {self.best[0][0]}" if self.best else ""
        return f"<Sweep {len(self.stats)} columns by {'lowest' if self.minimize else 'highest'} {self.objective}{lead}>"


class _Market:
    """One market of a sweep: its checked feed, the run's settings, the kernel's simulator."""

    def __init__(self, data, settings):
        from .run import simulator

        reason = why_not(ArraySignals, data, settings)
        if reason:
            raise ValueError(f"ct.vectorized.sweep: {reason}")
        self.engine = prepare(Strategy, data, **settings)  # the settings and the feed, checked
        self.feed = self.engine.feeds[0]
        self.sim = simulator(self.engine)

    def column(self, item):
        """(kernel spec, entries, exits) of a column: Signals, an (entries, exits) pair, a
        function of the feed returning one, or (SignalStrategy class, params)."""
        feed, n = self.feed, len(self.feed.time.values)
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], type):
            cls, params = item
            if not issubclass(cls, SignalStrategy):
                raise TypeError(f"{cls.__name__} is not a ct.vectorized.SignalStrategy")
            spec, entries, exits, start = evaluate(cls, params, feed)
        else:
            feed.nodes, feed.warmup = [], 0
            if callable(item) and not isinstance(item, Signals):
                item = item(feed)
            spec = Signals.of(item)
            entries, exits = spec.columns(feed)
            start = feed.warmup
        if start >= n:
            raise ValueError(f"not enough data for the signals' indicators: they need {start + 1} bars, the data has {n}")
        return kernel_spec(spec, self.engine.sizing, start), entries, exits


def sweep(data, columns, *, top=5, objective="sharpe", minimize=False, progress=None, **settings):
    """Backtest every column of `columns` over `data` (one market, or a list of one market per
    column) with the run's `settings` (those of ct.backtest) and return a Sweep.

    A column is `Signals(...)`, an `(entries, exits)` pair, a function of the data feed
    returning one, or `(SignalStrategyClass, params)`; `columns` may be any iterable (a
    generator keeps only the current batch in memory). `progress(done, total)` after each
    batch (total None when `columns` has no length)."""
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise ValueError(f"top must be a whole number >= 0, got {top!r}")
    total = len(columns) if hasattr(columns, "__len__") else None
    per_column = isinstance(data, (list, tuple))
    shared = None if per_column else _Market(data, settings)
    markets = iter(data) if per_column else None
    rows, kept, batch, done = [], [], [], 0

    def flush():
        nonlocal done
        for market, group in _by_market(batch):
            records = market.sim.measure([work for _, _, work in group])
            size = len(records) // len(group)
            for g, (k, item, _) in enumerate(group):
                stats = _stats(records[g * size:(g + 1) * size], market.engine)
                stats["column"] = k
                rows[k] = stats
                _rank(kept, top, objective, minimize, stats, k, item, market)
        done += len(batch)
        batch.clear()
        if progress:
            progress(done, total)

    for k, item in enumerate(columns):
        market = shared
        rows.append(None)
        try:
            if per_column:
                market = _Market(next(markets), settings)
            work = market.column(item)
        except StopIteration:
            raise ValueError(f"sweep: {k + 1} columns or more, but {k} markets in data") from None
        except (ValueError, TypeError) as e:
            rows[k] = {"column": k, "error": f"{type(e).__name__}: {e}"}
            continue
        batch.append((market, k, item, work))
        if per_column or sum(len(w[1]) for *_, w in batch) >= BATCH_VALUES:
            flush()
    if batch:
        flush()
    best = [(k, _full(market, item)) for _, _, k, item, market in sorted(kept, reverse=True)]
    return Sweep(rows, best, objective, minimize)


def _by_market(batch):
    """The batch's columns grouped by market, in order: [(market, [(k, item, work)])]."""
    groups = []
    for market, k, item, work in batch:
        if not groups or groups[-1][0] is not market:
            groups.append((market, []))
        groups[-1][1].append((k, item, work))
    return groups


def _stats(record, engine):
    from .run import as_measures

    return summarize(as_measures(record), engine.cash, engine.feeds[0].bar_ms)


def _rank(kept, top, objective, minimize, stats, k, item, market):
    """Keeps the `top` best columns in a heap (ties: the earlier column wins)."""
    if objective not in stats:
        raise ValueError(f"objective {objective!r} is not a statistic (e.g. {', '.join(list(stats)[:6])})")
    value = stats[objective]
    if top == 0 or not isinstance(value, (int, float)) or value != value:
        return
    entry = (-value if minimize else value, -k, k, item, market)
    if len(kept) < top:
        heapq.heappush(kept, entry)
    elif entry[:2] > kept[0][:2]:
        heapq.heapreplace(kept, entry)


def _full(market, item):
    """The full Result of one column, run again."""
    from .run import result

    spec, entries, exits = market.column(item)
    return result(market.engine, *market.sim.run(spec, entries, exits))
