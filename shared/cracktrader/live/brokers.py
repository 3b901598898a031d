"""The engine's broker in an exchange session: orders go to the exchange through the session
(`link`), fills and endings come back from it (`fill`, `end`), so the strategy, its account and
its notifications work as in a backtest.

Market and limit orders (GTC or IOC) are sent as they are. Stops, stop-limits, trailing stops,
and bracket exits waiting for their entry are held here, as a spot exchange cannot hold them
all together (both exits of a bracket would need the same coins): each closed bar, a held
stop whose level the bar's high (buys) or low (sells) reached is sent as a market order (a
stop-limit as a limit at its limit price); trailing stops ratchet at the close as in the
backtest; an exit filling cancels its sibling. So a held stop fills after the bar that
touched it closed, at the next price, where the backtest fills it at its level inside the bar.
Reduce-only orders are cut to the position when they are sent.
"""

from bisect import insort

from ..broker import Broker
from ..orders import (BUY, CANCELED, IOC, LIMIT, MARKET, STOP_LIMIT, TRAILING_STOP, WAITING, WORKING,
                      trail_level)

NATIVE = (MARKET, LIMIT)


class ExchangeBroker(Broker):
    link = None  # the session's order path to the exchange: send, cancel, at_exchange

    def _accept(self, order):
        insort(self.pending[order.feed.index], order, key=_id)
        self._note_order(order)
        if order.type in NATIVE:
            self.link.send(order, order.type)

    def _activate_exits(self, order):
        super()._activate_exits(order)
        for child in order.children:
            if child.status in WORKING and child.type in NATIVE and not self.link.at_exchange(child):
                self.link.send(child, child.type)

    def cancel(self, order):
        if not order.alive:
            return False
        if order.status == WAITING or not self.link.at_exchange(order):
            self._end(order, CANCELED, "canceled", "canceled by the strategy")
        else:
            self.link.cancel(order, "canceled", "canceled by the strategy")
        return True

    def match(self, feed, i):
        """Held orders meet bar i (closed): a reached level sends them; trailing stops ratchet."""
        h, l = feed.high.values[i], feed.low.values[i]
        step = self.clock.abs_step
        for order in list(self.pending[feed.index]):
            if order.status not in WORKING or self.link.at_exchange(order) or order.type in NATIVE:
                continue
            if order.created_step >= step:
                continue  # placed on this bar: it works from the next one
            level = order.trail_stop if order.type == TRAILING_STOP else order.stop
            if (h >= level) if order.side == BUY else (l <= level):
                order.triggered = True
                if not self._oco_cleared(order):
                    continue
                self.link.send(order, LIMIT if order.type == STOP_LIMIT else MARKET)
            elif order.tif == IOC:
                self._end(order, "expired", "ioc", "IOC: not triggered on its first bar")
            elif order.type == TRAILING_STOP:
                extreme = max(order.trail_extreme, h) if order.side != BUY else min(order.trail_extreme, l)
                if extreme != order.trail_extreme:
                    order.trail_extreme, order.trail_stop = extreme, trail_level(order, extreme)

    def _oco_cleared(self, order):
        """A bracket exit about to leave: its sibling at the exchange is canceled first (both
        would sell the same coins). False if the sibling filled meanwhile."""
        sibling = order.oco
        if sibling is None or not sibling.alive:
            return True
        if not self.link.at_exchange(sibling):
            self._end(sibling, CANCELED, "oco", f"the other exit (order {order.id}) triggered")
            return True
        if self.link.cancel(sibling, "oco", f"the other exit (order {order.id}) triggered", settle=True):
            return not (sibling.status == "filled")
        return False

    def fill_at_close(self):
        self.at_close.clear()  # market orders were sent when placed

    def _drop_reduce_only(self, feed):
        for order in list(self.pending[feed.index]):
            if order.reduce_only and order.alive:
                if self.link.at_exchange(order):
                    self.link.cancel(order, "position_closed", "the position is flat")
                else:
                    self._end(order, CANCELED, "position_closed", "the position is flat")

    # --- what the exchange reports -------------------------------------------------------------
    def fill(self, order, price, size, fee, booked, time, final):
        """A fill the exchange reported (booked between bars, as the backtest's at a bar's open)."""
        trades = self.book_fill(order, price, size, fee, final, time, self.clock.abs_step, booked)
        if self.note_trades:
            self.notes.extend(("trade", t) for t in trades)
        if order.status == "filled" and order.oco is not None and order.oco.alive:
            sibling = order.oco
            if self.link.at_exchange(sibling):
                self.link.cancel(sibling, "oco", f"the other exit (order {order.id}) filled")
            else:
                self._end(sibling, CANCELED, "oco", f"the other exit (order {order.id}) filled")
        if self.account.positions[order.feed.index].size == 0:
            self._drop_reduce_only(order.feed)


def _id(order):
    return order.id
