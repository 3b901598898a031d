"""The engine: runs a strategy over feeds, all loaded bars at once (`run`) or bar by bar as
they arrive (`push`).

Each step of the run (a bar; with several feeds, a moment when at least one feed's bar
closes) does, in this order: move the feeds' cursors, match the working orders against the new
bars, deliver notifications, call `next()`, fill market orders placed "at close", deliver
notifications, record the account value. A live run performs exactly the same steps as bars
arrive (`Engine.push`), so on the same bars it places and fills the same orders.

Nothing here reads the clock or unseeded randomness: the same inputs give the same result.
"""

import math
from array import array
from bisect import bisect_left
from contextlib import redirect_stdout
from pathlib import Path

from .broker import Broker
from .candles import Candles
from .costs import Commission, Slippage
from .feed import Feed, align
from .fills import POLICIES
from .log import Log
from .orders import make_order
from .result import Result
from .strategy import Strategy, StrategyError, frames, locate, resolve_params


def parse_sizing(sizing):
    """The default size of buy()/sell() without one: units (a number) or "N%" of equity."""
    if isinstance(sizing, str) and sizing.strip().endswith("%"):
        try:
            percent = float(sizing.strip()[:-1])
        except ValueError:
            percent = float("nan")
        if not 0 < percent <= 10_000:
            raise ValueError(f"sizing {sizing!r}: expected a percent of equity like '95%'")
        return "percent", None, percent
    if isinstance(sizing, bool) or not isinstance(sizing, (int, float)) or not 0 < sizing < math.inf:
        raise ValueError(f"sizing {sizing!r}: expected units (a number > 0) or a percent of equity like '95%'")
    return "size", float(sizing), None


def as_candles(data):
    """A list of Candles from Candles, a path or dataset id, or a list of those."""
    from .data import load_data

    items = data if isinstance(data, (list, tuple)) else [data]
    if not items:
        raise ValueError("data: no feeds given")
    return [x if isinstance(x, Candles) else load_data(x) if isinstance(x, (str, Path)) else _bad_data(x) for x in items]


def _bad_data(x):
    raise TypeError(f"data: expected Candles, a file path or a dataset id, got {type(x).__name__}")


class Engine:
    """One run of a strategy over feeds: `run()` processes the bars loaded so far, `push(bar)`
    adds a bar as it arrives (live) and processes it, `result()` reports."""

    def __init__(self, strategy, data, *, cash=10_000.0, commission=0.0, slippage=0.0, params=None,
                 fill="open", intrabar="adverse", intrabar_data=None, leverage=1.0, sizing="95%",
                 market_rules=None, volume_limit=None, broker=Broker, start=None, keep=None):
        """`start` (UTC ms): the bars before it are history: indicators are computed over them,
        the strategy is not called on them, and the result begins at `start`. `keep` (bars, a
        live run's bounded history): `push` keeps at least the last `keep` bars of every per-bar
        array (feed, lines, equity) and of the final orders and closed trades, dropping the older
        ones in chunks; None keeps everything (a backtest)."""
        if not (isinstance(strategy, type) and issubclass(strategy, Strategy)):
            raise TypeError(f"strategy: expected a ct.Strategy subclass, got {strategy!r}")
        if isinstance(cash, bool) or not isinstance(cash, (int, float)) or not 0 < cash < math.inf:
            raise ValueError(f"cash must be a positive number, got {cash!r}")
        if fill not in ("open", "close"):
            raise ValueError(f"fill must be 'open' or 'close', got {fill!r}")
        if intrabar not in POLICIES:
            raise ValueError(f"intrabar must be one of {', '.join(POLICIES)}, got {intrabar!r}")
        if isinstance(leverage, bool) or not isinstance(leverage, (int, float)) or not 0 < leverage < math.inf:
            raise ValueError(f"leverage must be a positive number, got {leverage!r}")
        if start is not None and (isinstance(start, bool) or not isinstance(start, int)):
            raise ValueError(f"start must be a time in UTC ms (an int), got {start!r}")
        if keep is not None and (isinstance(keep, bool) or not isinstance(keep, int) or keep < 1):
            raise ValueError(f"keep must be a number of bars >= 1 (or None: keep all), got {keep!r}")
        self.cash, self.fill, self.intrabar, self.leverage = float(cash), fill, intrabar, float(leverage)
        if volume_limit is not None and (isinstance(volume_limit, bool) or not isinstance(volume_limit, (int, float))
                                         or not 0 < volume_limit <= 1):
            raise ValueError(f"volume_limit must be a share of each bar's volume in (0, 1], got {volume_limit!r}")
        self.start = start  # UTC ms: the steps before it only warm indicators up
        self.commission, self.slippage = Commission.of(commission), Slippage.of(slippage)
        self.sizing = parse_sizing(sizing)
        _check_rules(market_rules)
        candles = as_candles(data)
        # An engine may start empty and be fed live; a backtest needs bars (see backtest()).
        self.feeds = [Feed(c, k, _source(c, k, len(candles)), allow_empty=True) for k, c in enumerate(candles)]
        if keep is not None and len(self.feeds) > 1:
            raise ValueError(f"keep: a bounded history is for one feed (a live session's); this run has {len(self.feeds)}")
        self.keep = self.feeds[0].keep = keep
        self._timeline()
        # `step` (like each feed's `i`) indexes the arrays as kept; `dropped` bars came before
        # them: step + dropped (`abs_step`) is what orders, trades and the log record.
        self.step, self.ids, self.dropped = -1, 0, 0
        self._begun = None  # the first step at or after `start`, once a bar reached it
        self._sub = _sub_bars(intrabar_data, self.feeds)
        # `broker`: the venue's broker class (a live session's), taking Broker's arguments
        self.broker = broker(self.feeds, self.cash, self.commission, self.slippage, self.leverage, intrabar,
                             self._sub and self._sub_bars, market_rules, self,
                             None if volume_limit is None else float(volume_limit))
        self.equity = array("d")
        self.log = Log(self)  # what the strategy prints, with the bar
        self.stopped = False
        self.strategy = self._make(strategy, params)
        self.required = [f.warmup for f in self.feeds]  # bars each feed needs before next()
        self.ready = False
        self.outcome = None  # the Result when the vectorized kernel ran the backtest instead (backtest.py)
        self.engine_reason = None  # why the kernel did not

    # --- set-up ---------------------------------------------------------------------------
    def _timeline(self):
        """Step times (the open time of the finest bar closing at that step) and, with several
        feeds, each feed's cursor per step."""
        if len(self.feeds) == 1:
            self.times, self.cursors = array("q", self.feeds[0].time.values), None
            return
        steps, self.cursors = align(self.feeds)
        self.finest = min(f.bar_ms for f in self.feeds)
        self.times = array("q", [t - self.finest for t in steps])

    def _make(self, cls, params):
        strategy = cls()
        strategy._engine = self
        strategy.p = strategy.params = resolve_params(cls, params)
        strategy.datas = list(self.feeds)
        strategy.data = self.feeds[0]
        for k, feed in enumerate(self.feeds):
            setattr(strategy, f"data{k}", feed)
        strategy.broker = self.broker
        strategy.position = self.broker.position()
        overrides = {name for name in ("prenext", "notify_order", "notify_trade")
                     if getattr(cls, name) is not getattr(Strategy, name)}
        self.broker.note_orders = "notify_order" in overrides
        self.broker.note_trades = "notify_trade" in overrides
        self._prenext = strategy.prenext if "prenext" in overrides else None
        self._call(strategy, strategy.init)
        return strategy

    def place(self, side, size, **kwargs):
        order, exits = make_order(self, side, size, **kwargs)
        return self.broker.submit(order, exits)

    # --- running ----------------------------------------------------------------------------
    def run(self, progress=None, chunk=65_536):
        """Process every loaded bar not processed yet; `progress(done, total)` after each chunk."""
        total = len(self.times)
        start = self.step + 1
        if total > len(self.equity):
            self.equity.extend(array("d", bytes(8 * (total - len(self.equity)))))
        for a in range(start, total, chunk):
            b = min(a + chunk, total)
            self._call(self.strategy, self._steps, a, b)
            if progress:
                progress(b, total)
        return self

    def skip(self):
        """Move through the loaded bars not processed yet without calling the strategy: a live
        run's warm-up history (its indicators have their values; nothing is traded on it)."""
        total = len(self.times)
        if total > len(self.equity):
            self.equity.extend(array("d", bytes(8 * (total - len(self.equity)))))
        if self.step + 1 < total:
            self._idle(self.step + 1, total)
        return self

    def push(self, bars):
        """Add the next bar(s) as they arrive and process them: one bar `(time, open, high, low,
        close, volume)` for a single feed, or `{feed_index: bar}` for bars closing together."""
        if self.step + 1 < len(self.times):
            self.run()
        bars = bars if isinstance(bars, dict) else {0: bars}
        if len(self.feeds) == 1:
            if set(bars) != {0}:
                raise ValueError("push: this run has one feed: pass one bar")
            self.feeds[0].check_bar(*bars[0])
            self.feeds[0].append(*bars[0])
            self.times.append(self.feeds[0].time.values[-1])
        else:
            self._push_aligned(bars)
        self.equity.append(0.0)
        s = len(self.times) - 1
        self._call(self.strategy, self._steps, s, s + 1)
        if self.keep is not None and len(self.times) >= self.keep + max(1, self.keep // 4):
            self._trim(len(self.times) - self.keep)
        return self

    def _trim(self, n):
        """Drop the oldest `n` bars of every per-bar array, and the final orders and closed trades
        from before the bars kept (in chunks of keep/4 bars: never a copy per bar)."""
        self.broker.account.drop_bars(self.feeds[0], n)
        self.feeds[0].trim(n)
        del self.times[:n]
        del self.equity[:n]
        self.step -= n
        self.dropped += n
        self.broker.forget(self.dropped)

    @property
    def abs_step(self):
        """The current step counted from the run's first bar, dropped ones included."""
        return self.step + self.dropped

    def _push_aligned(self, bars):
        feeds = self.feeds
        if not bars or any(not isinstance(k, int) or not 0 <= k < len(feeds) for k in bars):
            raise ValueError(f"push: expected {{feed index: bar}} with indexes 0..{len(feeds) - 1}")
        closes = {bar[0] + feeds[k].bar_ms for k, bar in bars.items()}
        if len(closes) != 1:
            raise ValueError("push: bars pushed together must close at the same time")
        close = closes.pop()
        if len(self.times) and close - self.finest <= self.times[-1]:
            raise ValueError(f"push: these bars close at {close}, not after the last step")
        for k, bar in bars.items():  # all checked before any is added
            feeds[k].check_bar(*bar)
        for k, bar in bars.items():
            feeds[k].append(*bar)
        for k, cur in enumerate(self.cursors):
            cur.append(len(feeds[k].time.values) - 1 if k in bars else (cur[-1] if len(cur) else -1))
        self.times.append(close - self.finest)

    def _steps(self, a, b):
        begin = self.begin()
        if a < begin:  # before `start`: no strategy call, no order, the account stays as it is
            self._idle(a, min(begin, b))
            a = min(begin, b)
        ready = a if self.ready else self._first_ready(a, b)
        if ready > a:
            if self._prenext is not None:
                self._loop(a, ready, self._prenext)
            else:  # nothing can happen before the first next(): no orders exist yet
                self._idle(a, ready)
        if ready < b:
            self.ready = True
            self._loop(ready, b, self.strategy.next)

    def first_next(self):
        """The first step of the loaded bars where next() runs (len(times) if none)."""
        return self._first_ready(min(self.begin(), len(self.times)), len(self.times))

    def begin(self):
        """The first step at or after `start` (0 without one): where the run and its result
        begin, as an index in the kept arrays (0 once a live run's window dropped it)."""
        return max(0, self.first_step() - self.dropped)

    def first_step(self):
        """`begin()` counted from the run's first bar (dropped bars included)."""
        if self.start is None:
            return 0
        if self._begun is not None:
            return self._begun
        k = bisect_left(self.times, self.start)
        if k < len(self.times):  # reached: later bars (pushed, or trimmed) do not move it
            self._begun = self.dropped + k
        return self.dropped + k

    def _first_ready(self, a, b):
        need = self.required
        if self.cursors is None:
            return min(max(a, need[0] - self.dropped), b)
        for s in range(a, b):
            if all(cur[s] >= n for cur, n in zip(self.cursors, need)):
                return s
        return b

    def _idle(self, a, b):
        for feed, cur in zip(self.feeds, self.cursors or [None]):
            feed.i = b - 1 if cur is None else cur[b - 1]
        self.step = b - 1
        self.equity[a:b] = array("d", [self.broker.account.cash]) * (b - a)

    def _loop(self, a, b, call):
        if self.cursors is None:
            self._loop_one(a, b, call)
        else:
            self._loop_many(a, b, call)

    def _loop_one(self, a, b, call):
        # The hot loop of single-feed runs: keep it to what every bar needs.
        feed, broker = self.feeds[0], self.broker
        account, pending, notes = broker.account, broker.pending[0], broker.notes
        pos, close, deliver = account.positions[0], feed.close.values, self._deliver
        with memoryview(self.equity) as equity:  # (a view stores a float without array's argument parsing)
            for i in range(a, b):
                feed.i = self.step = i
                if pending:
                    broker.match(feed, i)
                if notes:
                    deliver()
                call()
                if broker.at_close:
                    broker.fill_at_close()
                if notes:
                    deliver()
                equity[i] = account.cash + pos.size * close[i]

    def _loop_many(self, a, b, call):
        feeds, broker = self.feeds, self.broker
        account, pending, notes, deliver = broker.account, broker.pending, broker.notes, self._deliver
        moves = list(zip(feeds, self.cursors))
        with memoryview(self.equity) as equity:  # (as in _loop_one)
            for s in range(a, b):
                self.step = s
                for feed, cur in moves:
                    j = cur[s]
                    if j != feed.i:
                        feed.i = j
                        if pending[feed.index]:
                            broker.match(feed, j)
                if notes:
                    deliver()
                call()
                if broker.at_close:
                    broker.fill_at_close()
                if notes:
                    deliver()
                equity[s] = account.value()

    def _deliver(self):
        """Hand queued notifications to the strategy; those they cause wait for the next call."""
        notes = self.broker.notes
        batch = notes[:]
        notes.clear()
        strategy = self.strategy
        for kind, what in batch:
            if kind == "order":
                strategy.notify_order(what)
            else:
                strategy.notify_trade(what)

    def finish(self):
        """The end of the run: calls the strategy's `stop()` (once)."""
        if not self.stopped:
            self.stopped = True
            self._call(self.strategy, self.strategy.stop)
        return self

    def _call(self, strategy, fn, *args):
        """Run strategy code, its prints going to the log; an error raised from the strategy's
        own file names its line, its frames, and the bar it happened on."""
        try:
            with redirect_stdout(self.log):
                return fn(*args)
        except Exception as e:
            where = locate(e, type(strategy))
            if where is None:
                raise
            error = StrategyError(*where, e, frames=frames(e, type(strategy)), bar=self.log.bar(self.abs_step),
                                  time=self.times[self.step] if 0 <= self.step < len(self.times) else None)
            error.log = self.log.entries()  # what it printed before failing
            raise error from e

    # --- intrabar data ----------------------------------------------------------------------
    def _sub_bars(self, feed, i):
        sub = self._sub.get(feed.index)
        if sub is None:
            return None
        from bisect import bisect_left

        t0 = feed.time.values[i]
        lo, hi = bisect_left(sub.time, t0), bisect_left(sub.time, t0 + feed.bar_ms)
        return list(zip(sub.open[lo:hi], sub.high[lo:hi], sub.low[lo:hi], sub.close[lo:hi])) or None

    # --- results ----------------------------------------------------------------------------
    def result(self):
        """The run so far as a Result (value, stats, trades, equity), from `start` on (with
        `keep`: over the bars, orders and trades kept)."""
        if self.outcome is not None:
            return self.outcome
        n = self.step + 1
        first = min(self.begin(), n)
        account = self.broker.account
        bar_ms = self.feeds[0].bar_ms if self.cursors is None else self.finest
        return Result(
            final_value=self.equity[n - 1] if n else self.cash, cash=self.cash,
            trades=list(account.trades), open_trades=[t for t in account.open_trades if t],
            times=self.times[first:n], equity=self.equity[first:n], bar_ms=bar_ms, orders=list(self.broker.orders),
            feeds=self.feeds, benchmark=self._benchmark(first, n), log=self.log.entries(), first_step=first + self.dropped,
            engine_reason=self.engine_reason,
        )

    def _benchmark(self, a, b):
        """The first feed's close at steps a..b-1 (NaN before its first bar closes)."""
        close = self.feeds[0].close.values
        if self.cursors is None:
            return close[a:b]
        return array("d", [close[j] if j >= 0 else math.nan for j in self.cursors[0][a:b]])


def _check_rules(market_rules):
    rules = market_rules.values() if isinstance(market_rules, dict) else [market_rules]
    if market_rules is not None and not all(callable(getattr(r, "validate", None)) for r in rules if r is not None):
        raise TypeError("market_rules: expected cracktrader.kernels.MarketRules (or {feed index: MarketRules}), "
                        f"got {market_rules!r}")


def _source(candles, k, count):
    return candles.meta.get("source") or candles.symbol or (f"data{k}" if count > 1 else "data")


def _sub_bars(intrabar_data, feeds):
    """{feed index: lower-timeframe Candles} from None, Candles (for the first feed) or a dict."""
    if intrabar_data is None:
        return {}
    items = intrabar_data if isinstance(intrabar_data, dict) else {0: intrabar_data}
    out = {}
    for k, candles in items.items():
        if not isinstance(k, int) or not 0 <= k < len(feeds):
            raise ValueError(f"intrabar_data: {k!r} is not a feed index (0..{len(feeds) - 1})")
        Feed(candles, k, source=f"intrabar_data[{k}]")  # checked like any feed
        out[k] = candles
    return out
