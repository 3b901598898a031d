"""Matching one bar's orders: which fill, at what price, in which order. Pure: the result is a
list of events the broker then books.

A bar is a price path. At the open (a gap from the last price) every order the open satisfies
fills at the open, in submission order: market orders, and limits/stops the price gapped
through. Then the price moves continuously through the bar's two extremes to the close, and
each limit or stop fills where the path first touches its level (a limit at its price, a stop
at its price plus slippage). A filled bracket entry activates its exits at that point of the
path; they may fill later on the same path. One exit filling cancels the other.

With a volume limit (`cap`: units per order for this bar; the broker cuts it to the market's
amount step when it has market rules, as an exchange's fills are), an order fills at most `cap` on the
bar, at the price it would have filled at; the rest keeps working from the next bar: the rest of
a market order (or of a stop once triggered) fills at the next bar's open, the rest of a limit
at its price or better. A bar without volume fills nothing. An order fills once per bar at most.
Bracket exits start working once their entry has filled completely (or ended after filling
part: they then reduce what was filled).

Which extreme comes first is unknown. When the order of extremes changes what fills, the
intrabar policy decides: "adverse" (default) takes the path that leaves the account worth less
at the bar's close (a stop-loss and a take-profit both inside the bar: the stop-loss fills),
"favorable" the one worth more, "nearest" visits the extreme nearer the open first. Given a
lower-timeframe feed, the bar is replayed over its sub-bars instead (the policy then decides
only inside each sub-bar).
"""

from bisect import insort

from .orders import BUY, LIMIT, MARKET, STOP, STOP_LIMIT, TRAILING_STOP, WAITING

UP, DOWN = 1, -1
POLICIES = ("adverse", "favorable", "nearest")
DUST = 1e-9  # a position left below this fraction of its size by float rounding is closed


def snap(old, new):
    """The position after a fill: float dust from partial exits counts as flat."""
    return 0.0 if new and abs(new) <= DUST * abs(old) else new


def denoise(size):
    """A size rid of float noise from adding parts (12 significant digits): what was bought
    in parts of 0.19 and 0.01473 is 0.20473, which an exchange's step then keeps whole."""
    return float(f"{size:.12g}")


def remaining(order):
    """What is left of an order to fill."""
    return denoise(order.size - order.filled) if order.filled else order.size


class Working:
    """An order as the matcher sees it: fires when the price is at or beyond `level` in
    `direction` (UP: price >= level, DOWN: price <= level); a market order fires at once."""

    __slots__ = ("order", "kind", "level", "direction")

    def __init__(self, order, kind, level, direction):
        self.order, self.kind, self.level, self.direction = order, kind, level, direction

    @classmethod
    def of(cls, order):
        buy = order.side == BUY
        if order.type == MARKET or (order.triggered and order.type in (STOP, TRAILING_STOP)):
            return cls(order, "market", 0.0, 0)  # (a stop's rest after a partial fill: at market)
        if order.type == LIMIT or (order.type == STOP_LIMIT and order.triggered):
            return cls(order, "limit", order.limit, DOWN if buy else UP)
        level = order.trail_stop if order.type == TRAILING_STOP else order.stop
        return cls(order, "stop_limit" if order.type == STOP_LIMIT else "stop", level, UP if buy else DOWN)

    def holds(self, price):
        d = self.direction
        return d == 0 or (price >= self.level if d == UP else price <= self.level)

    def __lt__(self, other):  # priority: submission order
        return self.order.id < other.order.id

    def copy(self):
        return Working(self.order, self.kind, self.level, self.direction)


class Book:
    """The account as one bar's matching sees it: cash and this feed's position, the other
    feeds' value and margin as constants. Decides each fill (margin, reduce-only) and books it."""

    __slots__ = ("cash", "size", "other_value", "other_margin", "leverage", "commission")

    def __init__(self, cash, size, other_value, other_margin, leverage, commission):
        self.cash, self.size = cash, size
        self.other_value, self.other_margin = other_value, other_margin
        self.leverage, self.commission = leverage, commission

    def copy(self):
        return Book(self.cash, self.size, self.other_value, self.other_margin, self.leverage, self.commission)

    def fill(self, order, price, maker, cap=None):
        """("fill", size, fee, final) after booking it, or ("cancel"|"reject", rule, reason), or
        None when `cap` (a volume limit) allows nothing. `final`: nothing is left to fill."""
        buy = order.side == BUY
        size, held = remaining(order), self.size
        final = True
        if cap is not None and cap < size * (1 - DUST):
            if cap <= 0:
                return None
            size, final = cap, False
        if order.reduce_only:
            if held == 0 or (held > 0) == buy:
                return "cancel", "nothing_to_reduce", "reduce-only: no position to reduce"
            if size >= abs(held) * (1 - DUST):  # it closes the position (float noise aside)
                if size > abs(held) * (1 + DUST):  # more than is held: only what is
                    size = abs(held)
                final = True
        signed = size if buy else -size
        fee = self.commission.fee(size, price, maker)
        cash = self.cash - signed * price - fee
        new = snap(held, held + signed)
        if abs(new) > abs(held) or new * held < 0:  # adds exposure: the margin must cover it
            margin = abs(new) * price / self.leverage + self.other_margin
            value = cash + new * price + self.other_value
            if margin > value + 1e-9 * margin:
                need = "cash" if self.leverage == 1 else "margin"
                return "reject", "insufficient_margin", (
                    f"not enough {need}: needs {margin:.10g}, the account would be worth {value:.10g} after fees")
        self.cash, self.size = cash, new
        return "fill", size, fee, final


class Sim:
    """One run of the matcher along a path: active orders (by priority), the book, the events."""

    __slots__ = ("active", "book", "events", "price", "slippage", "high", "low", "cap")

    def __init__(self, active, book, slippage, high, low, cap=None):
        self.active, self.book, self.events = active, book, []
        self.price, self.slippage, self.high, self.low, self.cap = None, slippage, high, low, cap

    def copy(self):
        sim = Sim([w.copy() for w in self.active], self.book.copy(), self.slippage, self.high, self.low, self.cap)
        sim.events, sim.price = list(self.events), self.price
        return sim

    def jump(self, price):
        """A gap to `price` (the open): everything it satisfies fills there, by priority."""
        self.price = price
        self._settle()

    def move(self, to):
        """A continuous move to `to`: orders fill where the path first touches their level."""
        pos = self.price
        while True:
            best, best_d = None, 0.0
            for w in self.active:
                if w.direction == UP and pos <= w.level <= to:
                    d = w.level - pos
                elif w.direction == DOWN and to <= w.level <= pos:
                    d = pos - w.level
                else:
                    continue
                if best is None or d < best_d:
                    best, best_d = w, d
            if best is None:
                break
            pos = self.price = best.level
            self._fire(best)
            self._settle()
        self.price = to

    def can_touch(self, low, high):
        return any((w.level <= high) if w.direction == UP else (w.level >= low) for w in self.active)

    def value(self, close):
        return self.book.cash + self.book.size * close

    def _settle(self):
        """Fire every active order that the current price satisfies, by priority, until none."""
        price = self.price
        while True:
            for w in self.active:  # (a loop, not next(genexpr): this runs for every fill)
                if w.holds(price):
                    self._fire(w)
                    break
            else:
                return

    def _fire(self, w):
        order, price = w.order, self.price
        if w.kind == "stop_limit":  # triggered: a limit order from here on
            self.events.append(("trigger", order, price))
            w.kind, w.level, w.direction = "limit", order.limit, DOWN if order.side == BUY else UP
            return
        self.active.remove(w)
        maker = w.kind == "limit"
        if not maker and self.slippage:
            price = self.slippage.apply(price, order.side == BUY, self.high, self.low)
        outcome = self.book.fill(order, price, maker, self.cap)
        if outcome is None:  # no volume left for it on this bar
            return
        if outcome[0] != "fill":
            self.events.append((outcome[0], order, outcome[1], outcome[2]))
            if not order.filled:  # (after a partial fill, its exits reduce what did fill)
                for child in order.children:
                    self.events.append(("cancel", child, "parent_not_filled", f"entry order {order.id} {outcome[0]}ed"))
            return
        _, size, fee, final = outcome
        self.events.append(("fill", order, price, size, fee, final))
        if not final:
            return
        sibling = order.oco
        if sibling is not None:
            for other in self.active:
                if other.order is sibling:
                    self.active.remove(other)
                    self.events.append(("cancel", sibling, "oco", f"the other exit (order {order.id}) filled"))
                    break
        for child in order.children:
            if child.status == WAITING:  # not canceled meanwhile
                insort(self.active, Working.of(child))


def match_bar(sim, o, h, l, c, policy, sub_bars=None):
    """Run `sim` (its orders, its book) over one bar; the chosen run's events are the result.
    `sub_bars`: the lower-timeframe bars (o, h, l, c) inside this bar, or None."""
    sim.jump(o)
    if not sim.active or not sim.can_touch(l, h):
        return sim
    low_first, high_first = _both_paths(sim, l, h, c)
    if _same(low_first.events, high_first.events):
        return low_first
    if sub_bars:
        for so, sh, sl, sc in sub_bars:
            sim.jump(so)
            if sim.active and sim.can_touch(sl, sh):
                sim = _choose(*_both_paths(sim, sl, sh, sc), so, sh, sl, sc, policy)
            else:
                sim.move(sc)
        return sim
    return _choose(low_first, high_first, o, h, l, c, policy)


def _both_paths(sim, l, h, c):
    a, b = sim.copy(), sim.copy()
    for to in (l, h, c):
        a.move(to)
    for to in (h, l, c):
        b.move(to)
    return a, b


def _same(a, b):
    return len(a) == len(b) and all(x[0] == y[0] and x[1] is y[1] and x[2:] == y[2:] for x, y in zip(a, b))


def _choose(low_first, high_first, o, h, l, c, policy):
    if _same(low_first.events, high_first.events):
        return low_first
    if policy == "nearest":
        return low_first if o - l <= h - o else high_first
    va, vb = low_first.value(c), high_first.value(c)
    if policy == "favorable":
        return low_first if va >= vb else high_first
    return low_first if va <= vb else high_first
