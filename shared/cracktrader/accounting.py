"""Accounting, done once: every fill goes through `Account.book`, which moves cash, the
position (size, average price, realized P&L, fees) and the trades.

A trade is one position's life from flat to flat: fills that add to it average its entry
price, fills that reduce it realize P&L at the average price; a fill that reverses the position
closes the trade and opens the next one (its fee shared in proportion). Value is cash plus
every position marked at its feed's current close.
"""

from .fills import snap


class Position:
    """A feed's position: `size` (> 0 long, < 0 short, 0 flat) at average `price`; falsy when flat."""

    __slots__ = ("feed", "size", "price", "realized", "fees")

    def __init__(self, feed):
        self.feed, self.size, self.price, self.realized, self.fees = feed, 0.0, 0.0, 0.0, 0.0

    def __bool__(self):
        return self.size != 0.0

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
    """One position from open to flat. `pnl` is net of `commission` (entry and exit fees)."""

    __slots__ = ("id", "feed", "side", "size", "entry_time", "entry_step", "entry_price",
                 "exit_time", "exit_step", "exit_price", "exit_size", "gross", "commission", "is_open")

    def __init__(self, id, feed, side, time, step):
        self.id, self.feed, self.side = id, feed, side
        self.size, self.entry_time, self.entry_step, self.entry_price = 0.0, time, step, 0.0
        self.exit_time, self.exit_step, self.exit_price, self.exit_size = None, None, None, 0.0
        self.gross, self.commission, self.is_open = 0.0, 0.0, True

    @property
    def pnl(self):
        return self.gross - self.commission

    def to_dict(self):
        return {
            "entry_time": self.entry_time, "exit_time": self.exit_time, "side": self.side, "size": self.size,
            "entry_price": self.entry_price, "exit_price": self.exit_price, "pnl": self.pnl,
            "commission": self.commission,
        }

    def __repr__(self):
        end = f"-> {self.exit_price:g}" if not self.is_open else "open"
        return f"<Trade {self.side} {self.size:g} {self.feed.name} {self.entry_price:g} {end} pnl {self.pnl:g}>"


def _average(price, size, add_price, add_size):
    total = size + add_size
    return (price * size + add_price * add_size) / total


class Account:
    """Cash, positions and trades; `book(...)` is the one place a fill changes them."""

    def __init__(self, cash, feeds):
        self.cash = cash
        self.positions = [Position(f) for f in feeds]
        self.open_trades = [None] * len(feeds)
        self.trades = []  # closed, in closing order
        self.fees = 0.0
        self._ids = 0

    def value(self):
        return self.cash + sum(p.size * p.feed.close.values[p.feed.i] for p in self.positions if p.size)

    def book(self, feed, buy, size, price, fee, time, step):
        """Book a fill; returns the trades it opened or closed (for notify_trade)."""
        pos = self.positions[feed.index]
        signed = size if buy else -size
        self.cash = self.cash - signed * price - fee
        self.fees += fee
        pos.fees += fee
        old = pos.size
        new = snap(old, old + signed)
        changed = []
        if old == 0 or (old > 0) == buy:  # opening or adding
            trade = self.open_trades[feed.index] or self._open(feed, buy, time, step, changed)
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
        trade.exit_time, trade.exit_step = time, step
        pos.size = new
        if new == 0 or (new > 0) != (old > 0):
            trade.is_open = False
            self.trades.append(trade)
            self.open_trades[feed.index] = None
            changed.append(trade)
            pos.price = 0.0
        if new != 0 and (new > 0) != (old > 0):  # reversed: the rest opens a new trade
            trade = self._open(feed, buy, time, step, changed)
            trade.entry_price = pos.price = price
            trade.size = abs(new)
            trade.commission += fee - share
        return changed

    def _open(self, feed, buy, time, step, changed):
        self._ids += 1
        trade = Trade(self._ids, feed, "long" if buy else "short", time, step)
        self.open_trades[feed.index] = trade
        changed.append(trade)
        return trade
