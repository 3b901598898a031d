"""The simulated broker: takes orders, matches them bar by bar (fills.py), books the fills
(accounting.py) and queues the notifications for the strategy.

Orders submitted during bar i work from bar i+1: a market order fills at that bar's open (or,
with `fill="close"`, at bar i's close). Market rules (`kernels.MarketRules`), when given,
normalize or reject each order at submission: limit and stop-limit orders as "limit" orders at
their limit price, market, stop and trailing orders as "market" orders with the stop price (or
the last close) as the reference for the cost check; a stop price is rounded like a limit
price. The rejection's rule and message show in `notify_order` like any other rejection.

With a volume limit (a fraction of each bar's volume), an order fills at most that share of a
bar's volume per bar and stays "partial" while the rest keeps working (fills.py). A market
order placed "at close" fills its first part at that close and the rest from the next bar.
"""

from bisect import insort

from .accounting import Account
from .errors import OrderRejected
from .fills import Book, Sim, Working, match_bar
from .fills import DUST, denoise
from .orders import (ACCEPTED, BUY, CANCELED, EXPIRED, FILLED, IOC, LIMIT, MARKET, PARTIAL, REJECTED,
                     STOP, STOP_LIMIT, TRAILING_STOP, WAITING, WORKING, problem, trail_level)


class Broker:
    """Cash, positions and orders of one run. Strategies read `cash`, `value`, `fees`,
    `position(data)` and `orders` (the open ones)."""

    def __init__(self, feeds, cash, commission, slippage, leverage, policy, sub_bars, market_rules, clock,
                 volume_limit=None):
        self.feeds = feeds
        self.volume_limit = volume_limit  # share of a bar's volume one order may fill, or None
        self.account = Account(cash, feeds)
        self.commission, self.slippage, self.leverage = commission, slippage, leverage
        self.policy, self.sub_bars, self.market_rules = policy, sub_bars, market_rules
        self.clock = clock  # the engine: .abs_step, the current step as orders and trades record it
        self.pending = [[] for _ in feeds]  # working orders per feed, by id
        self.at_close = []  # market orders to fill at this bar's close
        self.orders = []  # every order, by id
        self.live = []  # orders that may still be alive: pruned on read, so reads stay cheap
        self.notes = []  # (kind, object) for notify_order / notify_trade
        self.note_orders = self.note_trades = False
        # A live session's order path after the order's own checks, before the venue takes it
        # (risk limits, the journal): gate(order, exits) -> None, or (rule, reason) to reject it.
        self.gate = None
        self.observer = None  # observer(order, fill or None) at every change of an order (a live session's journal)

    # --- what strategies read ---------------------------------------------------------------
    @property
    def cash(self):
        return self.account.cash

    @property
    def value(self):
        """Cash plus every position at its current close."""
        return self.account.value()

    @property
    def fees(self):
        return self.account.fees

    def position(self, data=None):
        return self.account.positions[(data or self.feeds[0]).index]

    @property
    def open_orders(self):
        self.live = [o for o in self.live if o.alive]
        return list(self.live)

    # --- submission -----------------------------------------------------------------------
    def submit(self, order, children=()):
        """Accept (or reject) an order and its bracket exits; they work from the next bar."""
        self.orders.append(order)
        self.live.append(order)
        for child in children:
            child.parent, child.status = order, WAITING
            self.orders.append(child)
            self.live.append(child)
        if len(children) == 2:
            children[0].oco, children[1].oco = children[1], children[0]
        order.children = tuple(children)
        feed = order.feed
        if feed.i < 0:
            self._reject(order, "no_price", f"{feed.name} has no bar yet")
            return order
        group = (order, *children)
        for o in group:
            rejected = self._check(o)
            if rejected:
                rule, reason = rejected
                self._reject(order, rule, reason if o is order else f"{_exit_name(o)}: {reason}")
                return order
        if self.gate is not None:
            rejected = self.gate(order, children)
            if rejected:
                self._reject(order, *rejected)
                return order
        for o in group:
            if o.type == TRAILING_STOP:
                o.trail_extreme = feed.close.values[feed.i]
                o.trail_stop = trail_level(o, o.trail_extreme)
        self._accept(order)
        return order

    def _accept(self, order):
        """The venue takes the order: here, the simulated book."""
        if order.type == MARKET and order.fill_at == "close":
            self.at_close.append(order)
        else:
            insort(self.pending[order.feed.index], order, key=_id)
        self._note_order(order)

    def _check(self, order):
        """(rule, reason) if the order cannot be placed; normalizes it through market rules."""
        found = problem(order.size, order.limit, order.stop, order.trail, order.trail_percent)
        if found or self.market_rules is None:
            return found
        rules = self._rules(order.feed)
        if rules is None:
            return None
        order.size = denoise(order.size)  # a position bought in parts: its sum, not a step less
        kind = "limit" if order.type in (LIMIT, STOP_LIMIT) else "market"
        ref = order.limit if kind == "limit" else (order.stop if order.stop is not None else order.feed.close.values[order.feed.i])
        try:
            order.size, price = rules.validate(order.side, kind, order.size, ref)
        except OrderRejected as e:
            return e.rule, str(e)
        if kind == "limit":
            order.limit = price
        if order.stop is not None:  # a stop price is a price too: rounded and held to the limits
            try:
                _, order.stop = rules.validate(order.side, "limit", order.size, order.stop)
            except OrderRejected as e:
                return e.rule, f"stop price: {e}"
        return None

    def cancel(self, order):
        """Cancel an order that is still working (and its waiting exits); False if it was done."""
        if not order.alive:
            return False
        self._end(order, CANCELED, "canceled", "canceled by the strategy")
        return True

    # --- matching -------------------------------------------------------------------------
    def match(self, feed, i):
        """Match the feed's working orders against its bar i, then book what filled."""
        orders = self.pending[feed.index]
        o, h, l, c = feed.open.values[i], feed.high.values[i], feed.low.values[i], feed.close.values[i]
        subs = self.sub_bars(feed, i) if self.sub_bars else None
        sim = match_bar(self._sim(feed, orders, h, l, i), o, h, l, c, self.policy, subs)
        self._commit(feed, sim.events)
        for order in list(orders):  # still working after its first bar: IOC expires, trails ratchet
            if order.tif == IOC and order.created_step < self.clock.abs_step:
                self._end(order, EXPIRED, "ioc", "IOC: not filled on its first bar")
            elif order.type == TRAILING_STOP:
                extreme = max(order.trail_extreme, h) if order.side != BUY else min(order.trail_extreme, l)
                if extreme != order.trail_extreme:
                    order.trail_extreme, order.trail_stop = extreme, trail_level(order, extreme)

    def fill_at_close(self):
        """Fill the market orders placed with fill="close" at their bar's close."""
        orders, self.at_close = self.at_close, []
        for order in orders:
            if not order.alive:
                continue
            feed = order.feed
            i = feed.i
            h, l, c = feed.high.values[i], feed.low.values[i], feed.close.values[i]
            sim = self._sim(feed, [order], h, l, i)
            sim.jump(c)
            self._commit(feed, sim.events)
            if order.alive:  # the volume limit left a rest: it works from the next bar
                order.fill_at = "open"
                insort(self.pending[feed.index], order, key=_id)

    def _sim(self, feed, orders, high, low, i):
        account, me = self.account, feed.index
        other_value = other_margin = 0.0
        for pos in account.positions:
            if pos.size and pos.feed.index != me:
                mark = pos.size * pos.feed.close.values[pos.feed.i]
                other_value += mark
                other_margin += abs(mark) / self.leverage
        book = Book(account.cash, account.positions[me].size, other_value, other_margin, self.leverage, self.commission)
        return Sim([Working.of(o) for o in orders], book, self.slippage, high, low, self._cap(feed, i))

    def _cap(self, feed, i):
        """The most one order may fill on bar i: the volume limit's share of its volume, cut to
        the market's amount step (an exchange fills whole steps), or None without a limit."""
        if self.volume_limit is None:
            return None
        cap = self.volume_limit * feed.volume.values[i]
        rules = self._rules(feed)
        if rules is not None and cap > 0:
            try:
                cap = rules.amount_to_precision(cap)
            except OrderRejected:  # less than one step
                cap = 0.0
        return cap

    def _rules(self, feed):
        r = self.market_rules
        return r.get(feed.index) if isinstance(r, dict) else r

    def _commit(self, feed, events):
        if not events:
            return
        step, time = self.clock.abs_step, feed.time.values[feed.i]
        for event in events:
            kind, order = event[0], event[1]
            if kind == "fill":
                _, _, price, size, fee, final = event
                trades = self.book_fill(order, price, size, fee, final, time, step)
                if self.note_trades:
                    self.notes.extend(("trade", t) for t in trades)
            elif kind == "trigger":
                order.triggered = True
            elif kind == "reject":
                self._end(order, REJECTED, event[2], event[3])
            else:
                self._end(order, CANCELED, event[2], event[3])
        if self.account.positions[feed.index].size == 0:
            self._drop_reduce_only(feed)

    def book_fill(self, order, price, size, fee, final, time, step, booked=None):
        """Book one fill (all or part) of an order: its status, average price and fees, the
        account, its exits once it is done. Returns the trades it opened or closed. `booked`:
        the position's change when it differs from `size` (an exchange's fee in the base asset)."""
        feed = order.feed
        done = final or order.filled + size >= order.size * (1 - DUST)
        if done:
            self._remove(order)
        # (a first fill keeps its exact price: averaging one value may round)
        order.price = price if not order.filled else (order.price * order.filled + price * size) / (order.filled + size)
        order.filled += size
        order.commission += fee
        order.status, order.time, order.step = FILLED if done else PARTIAL, time, step
        if not done and order.type in (STOP, TRAILING_STOP):
            order.triggered = True  # the rest fills at market
        trades = self.account.book(feed, order.side == BUY, size if booked is None else booked, price, fee, time, step,
                                   order)
        self._note_order(order, (price, size, fee))
        if done:
            self._activate_exits(order)
        return trades

    def _activate_exits(self, order):
        for child in order.children:
            if child.status == WAITING:
                child.status, child.created_step = ACCEPTED, self.clock.abs_step
                insort(self.pending[child.feed.index], child, key=_id)
                self._note_order(child)

    def _drop_reduce_only(self, feed):
        """A flat position leaves nothing for exits to reduce: cancel them."""
        for order in list(self.pending[feed.index]):
            if order.reduce_only:
                self._end(order, CANCELED, "position_closed", "the position is flat")

    def forget(self, step):
        """Drop the orders created before `step` that are over, and the trades closed before it (a
        live run's window: its journal keeps them)."""
        self.orders = [o for o in self.orders if o.alive or o.created_step >= step]
        self.live = [o for o in self.live if o.alive]
        self.account.forget(step)

    # --- endings and notes ----------------------------------------------------------------
    def end(self, order, status, rule, reason):
        """Ends a live order from outside the matching (canceled, expired, rejected): what a
        live session's exchange or kill switch decided."""
        self._end(order, status, rule, reason)

    def _reject(self, order, rule, reason):
        self._end(order, REJECTED, rule, reason)

    def _end(self, order, status, rule, reason):
        if not order.alive:
            return
        self._remove(order)
        order.status, order.rule, order.reason = status, rule, reason
        self._note_order(order)
        if order.filled:  # ended after filling part: its exits reduce that part
            self._activate_exits(order)
        for child in order.children:
            if child.status == WAITING:
                self._end(child, CANCELED, "parent_not_filled", f"entry order {order.id} {status}")

    def _remove(self, order):
        if order.status in WORKING:
            pending = self.pending[order.feed.index]
            if order in pending:
                pending.remove(order)
            elif order in self.at_close:
                self.at_close.remove(order)

    def _note_order(self, order, fill=None):
        if self.note_orders:
            self.notes.append(("order", order))
        if self.observer is not None:
            self.observer(order, fill)


def _exit_name(order):
    return "take_profit" if order.type == LIMIT else "stop_loss"


def _id(order):
    return order.id
