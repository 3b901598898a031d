"""Accounting, done once: every fill goes through `Account.book`, which moves cash, the
position (size, average price, realized P&L, fees) and the trades.

A trade is one position's life from flat to flat: fills that add to it average its entry
price, fills that reduce it realize P&L at the average price; a fill that reverses the position
closes the trade and opens the next one (its fee shared in proportion). Value is cash plus
every position marked at its feed's current close.
"""

from bisect import bisect_right

from .fills import snap
from .orders import reason


try:
    # `size` and the truth test in compiled code (CPython): `not self.position` runs on every bar
    # of most strategies, and a __bool__ in Python is a call into the interpreter each time.
    from ._native import PositionBase as _Sized
except ImportError:  # Pyodide: the same in Python
    class _Sized:
        __slots__ = ("size",)

        def __bool__(self):
            return self.size != 0.0


class Position(_Sized):
    """A feed's position: `size` (> 0 long, < 0 short, 0 flat) at average `price`; falsy when flat."""

    __slots__ = ("feed", "price", "realized", "fees")

    def __init__(self, feed):
        self.feed, self.size, self.price, self.realized, self.fees = feed, 0.0, 0.0, 0.0, 0.0

    def __getstate__(self):  # pickle: the default one does not see the compiled base's size
        return None, {name: getattr(self, name) for name in ("feed", "size", "price", "realized", "fees")}

    @property
    def value(self):
        """Market value at the current close (negative for a short)."""
        return self.size * self.feed.close.values[self.feed.i] if self.size else 0.0

    @property
    def unrealized(self):
        """P&L if closed at the current close, before fees."""
        return self.size * (self.feed.close.values[self.feed.i] - self.price) if self.size else 0.0

    def __repr__(self):
        return f"<Position {self.feed.name} {self.size:g} @ {self.price:g}>"


class Trade:
    """One position from open to flat. `pnl` is net of `commission` (entry and exit fees).
    `entry_order`/`exit_order`: the orders of its first entry fill and its last exit fill (None
    for a fill without one: a live position reconciled); the JSON's detail (`to_dict`) is
    derived from them, the times and the feed's bars, whichever engine made the trade."""

    __slots__ = ("id", "feed", "side", "size", "entry_time", "entry_step", "entry_price", "entry_order",
                 "exit_time", "exit_step", "exit_price", "exit_size", "exit_order", "gross", "commission", "is_open",
                 "dropped")

    def __init__(self, id, feed, side, time, step, order=None):
        self.id, self.feed, self.side = id, feed, side
        self.size, self.entry_time, self.entry_step, self.entry_price = 0.0, time, step, 0.0
        self.entry_order = order
        self.exit_time, self.exit_step, self.exit_price, self.exit_size = None, None, None, 0.0
        self.exit_order = None
        self.gross, self.commission, self.is_open = 0.0, 0.0, True
        self.dropped = None  # (lowest low, highest high, bars) of its bars a live run's window dropped

    @property
    def pnl(self):
        return self.gross - self.commission

    def to_dict(self):
        """The trade as the result JSON writes it (README, Results): its fills, and its detail
        measured on its feed's bars (null before any exit: see `open_dict`)."""
        return {
            "entry_time": self.entry_time, "exit_time": self.exit_time, "side": self.side, "size": self.size,
            "entry_price": self.entry_price, "exit_price": self.exit_price, "pnl": self.pnl,
            "commission": self.commission,
            **(self._detail(bar_of(self.feed, self.exit_time), self.exit_time, self.pnl, self.exit_price)
               if self.exit_time is not None else dict.fromkeys(("bars", "duration_ms", "return", "mae", "mfe"))),
            "entry_reason": _reason(self.entry_order), "exit_reason": _reason(self.exit_order),
        }

    def open_dict(self, last_time):
        """A trade still open at the end of a run whose last bar opened at `last_time`, marked at
        that bar's close (`mark_price`): `pnl` is what closing the rest there would make (before
        the exit fee), net of the fees paid so far; it is held to the end of that bar (`bars`,
        `duration_ms`); no exit."""
        feed = self.feed
        last = bar_of(feed, last_time)
        mark = feed.close.values[last]
        held = self.size - self.exit_size
        unrealized = held * (mark - self.entry_price) if self.side == "long" else held * (self.entry_price - mark)
        pnl = self.gross + unrealized - self.commission
        return {
            "entry_time": self.entry_time, "exit_time": None, "side": self.side, "size": self.size,
            "entry_price": self.entry_price, "exit_price": None, "pnl": pnl, "commission": self.commission,
            **self._detail(last + 1, feed.time.values[last] + (feed.bar_ms or 0), pnl, mark),
            "entry_reason": _reason(self.entry_order), "exit_reason": None, "mark_price": mark,
        }

    def _detail(self, end_bar, end_time, pnl, end_price):
        """Bars held, duration, return on the entry notional (net), and the largest adverse and
        favorable excursions (before fees): the lowest and highest prices the trade saw — the
        lows and highs of its bars from the entry bar to the one before `end_bar`, and
        `end_price` (the exit) — against the entry price, times the size. Bars a live run's window
        dropped count through `dropped`."""
        feed, first = self.feed, max(0, bar_of(self.feed, self.entry_time))
        low = min(end_price, min(feed.low.values[first:end_bar])) if end_bar > first else end_price
        high = max(end_price, max(feed.high.values[first:end_bar])) if end_bar > first else end_price
        bars = end_bar - first
        if self.dropped is not None:
            low, high, bars = min(low, self.dropped[0]), max(high, self.dropped[1]), bars + self.dropped[2]
        if self.side == "long":
            mae, mfe = self.size * (low - self.entry_price), self.size * (high - self.entry_price)
        else:
            mae, mfe = self.size * (self.entry_price - high), self.size * (self.entry_price - low)
        return {
            "bars": bars, "duration_ms": end_time - self.entry_time,
            "return": pnl / (self.size * self.entry_price), "mae": min(mae, 0.0), "mfe": max(mfe, 0.0),
        }

    def drop_bars(self, n):
        """Its feed is about to drop its first `n` bars (a live run's window): keeps what the
        trade's detail needs of those it held."""
        feed = self.feed
        first = max(0, bar_of(feed, self.entry_time))
        if first >= n:
            return
        low, high = min(feed.low.values[first:n]), max(feed.high.values[first:n])
        if self.dropped is not None:
            low, high = min(low, self.dropped[0]), max(high, self.dropped[1])
        self.dropped = (low, high, n - first + (self.dropped[2] if self.dropped is not None else 0))

    def __repr__(self):
        end = f"-> {self.exit_price:g}" if not self.is_open else "open"
        return f"<Trade {self.side} {self.size:g} {self.feed.name} {self.entry_price:g} {end} pnl {self.pnl:g}>"


def bar_of(feed, time):
    """The index of the feed's bar that holds `time` (a fill's time is its bar's open time, or
    that of a finer bar within it)."""
    return bisect_right(feed.time.values, time) - 1


def _reason(order):
    return reason(order) if order is not None else None


def _average(price, size, add_price, add_size):
    total = size + add_size
    return (price * size + add_price * add_size) / total


class Account:
    """Cash, positions and trades; `book(...)` is the one place a fill changes them."""

    def __init__(self, cash, feeds):
        self.cash = cash
        self.positions = [Position(f) for f in feeds]
        self.open_trades = [None] * len(feeds)
        self.trades = []  # closed, in closing order (a live run's window: the recent ones)
        self.forgotten = 0  # closed trades a live run's window dropped from `trades`
        self.fees = 0.0
        self._ids = 0

    @property
    def closed(self):
        """Trades closed so far (those a live run's window dropped included)."""
        return len(self.trades) + self.forgotten

    def drop_bars(self, feed, n):
        """`feed` is about to drop its first `n` bars (a live run's window): the trades that held
        some of them keep what their detail needs."""
        for trade in (*self.trades, *self.open_trades):
            if trade is not None and trade.feed is feed:
                trade.drop_bars(n)

    def forget(self, step):
        """Drop the trades closed before `step` (a live run's window)."""
        kept = [t for t in self.trades if t.exit_step >= step]
        self.forgotten += len(self.trades) - len(kept)
        self.trades = kept

    def value(self):
        return self.cash + sum(p.size * p.feed.close.values[p.feed.i] for p in self.positions if p.size)

    def book(self, feed, buy, size, price, fee, time, step, order=None):
        """Book a fill of `order` (None: a fill without one); returns the trades it opened or
        closed (for notify_trade)."""
        pos = self.positions[feed.index]
        signed = size if buy else -size
        self.cash = self.cash - signed * price - fee
        self.fees += fee
        pos.fees += fee
        old = pos.size
        new = snap(old, old + signed)
        changed = []
        if old == 0 or (old > 0) == buy:  # opening or adding
            trade = self.open_trades[feed.index] or self._open(feed, buy, time, step, order, changed)
            trade.entry_price = price if trade.size == 0 else _average(trade.entry_price, trade.size, price, size)
            trade.size += size
            trade.commission += fee
            pos.price = price if old == 0 else _average(pos.price, abs(old), price, size)
            pos.size = new
            return changed
        closing = min(size, abs(old))
        trade = self.open_trades[feed.index]
        realized = closing * (price - pos.price) if old > 0 else closing * (pos.price - price)
        pos.realized += realized
        trade.gross += realized
        share = fee if closing == size else fee * (closing / size)
        trade.commission += share
        trade.exit_price = price if trade.exit_size == 0 else _average(trade.exit_price, trade.exit_size, price, closing)
        trade.exit_size += closing
        trade.exit_time, trade.exit_step, trade.exit_order = time, step, order
        pos.size = new
        if new == 0 or (new > 0) != (old > 0):
            trade.is_open = False
            self.trades.append(trade)
            self.open_trades[feed.index] = None
            changed.append(trade)
            pos.price = 0.0
        if new != 0 and (new > 0) != (old > 0):  # reversed: the rest opens a new trade
            trade = self._open(feed, buy, time, step, order, changed)
            trade.entry_price = pos.price = price
            trade.size = abs(new)
            trade.commission += fee - share
        return changed

    def _open(self, feed, buy, time, step, order, changed):
        self._ids += 1
        trade = Trade(self._ids, feed, "long" if buy else "short", time, step, order)
        self.open_trades[feed.index] = trade
        changed.append(trade)
        return trade
