"""Risk limits, checked between the strategy and the venue for every order, and the session's
risk state: "normal", "reducing" (only orders that reduce the position) or "halted" (nothing
leaves but cancels). A breach of the daily-loss or drawdown limit moves the session to the
configured state; it stays there, across restarts, until `live resume`.

Rules (as `order.rule` and in the journal): halted, reducing, max_order_notional,
max_position_notional, max_open_orders, max_orders_per_minute; and, for the state changes,
max_daily_loss, max_drawdown, kill_switch.
"""

from collections import deque

from ..orders import BUY

DAY_MS = 86_400_000
NORMAL, REDUCING, HALTED = "normal", "reducing", "halted"


class Risk:
    def __init__(self, limits, equity=None):
        """`equity`: the session's starting equity (the first peak and the first day's start)."""
        self.limits = limits
        self.state, self.rule = NORMAL, None
        self.sent = deque()  # session-clock times of the orders sent in the last minute
        self.peak = self.last = equity
        self.day, self.day_start = None, None

    def check(self, order, position, open_orders, price, now):
        """(rule, reason) if the order may not leave, else None."""
        lim = self.limits
        reduces = _reduces(order, position)
        if self.state == HALTED:
            return "halted", f"the session is halted ({self.rule}): only cancels until `live resume`"
        if self.state == REDUCING and not reduces:
            return "reducing", f"the session only reduces its position ({self.rule}) until `live resume`"
        notional = order.size * price
        if lim.max_order_notional is not None and notional > lim.max_order_notional:
            return "max_order_notional", f"order notional {notional:.8g} > max_order_notional {lim.max_order_notional:g}"
        if lim.max_position_notional is not None and not reduces:
            size = position + _signed(order) + sum(_signed(o, o.size - o.filled) for o in open_orders
                                                   if not o.reduce_only and o.side == order.side)
            if abs(size) * price > lim.max_position_notional:
                return "max_position_notional", (f"the position would reach {abs(size) * price:.8g} (with the open "
                                                 f"orders) > max_position_notional {lim.max_position_notional:g}")
        if lim.max_open_orders is not None and len(open_orders) >= lim.max_open_orders:
            return "max_open_orders", f"{len(open_orders)} orders are open, max_open_orders is {lim.max_open_orders}"
        if lim.max_orders_per_minute is not None:
            while self.sent and self.sent[0] <= now - 60_000:
                self.sent.popleft()
            if len(self.sent) >= lim.max_orders_per_minute:
                return "max_orders_per_minute", (f"{len(self.sent)} orders in the last minute, max_orders_per_minute "
                                                 f"is {lim.max_orders_per_minute}")
        return None

    def sending(self, now):
        """An order leaves now (counted for max_orders_per_minute)."""
        self.sent.append(now)

    def observe(self, equity, time):
        """Books the equity after a bar opening at `time` (UTC ms); returns (rule, reason) when a
        loss limit is breached in the normal state, else None. A UTC day's loss counts from the
        equity the day started with: the last one booked before it."""
        day = time // DAY_MS
        if day != self.day:
            self.day, self.day_start = day, equity if self.last is None else self.last
        self.last = equity
        self.peak = equity if self.peak is None else max(self.peak, equity)
        if self.state != NORMAL:
            return None
        lim = self.limits
        if lim.daily_loss is not None:
            kind, value = lim.daily_loss
            allowed = value if kind == "money" else self.day_start * value / 100
            loss = self.day_start - equity
            if loss >= allowed:
                return "max_daily_loss", f"lost {loss:.8g} today (UTC), max_daily_loss is {lim.max_daily_loss}"
        if lim.drawdown is not None and self.peak > 0:
            drawdown = 1 - equity / self.peak
            if drawdown >= lim.drawdown:
                return "max_drawdown", f"drawdown {drawdown:.2%} from the peak {self.peak:.8g}, max_drawdown is {lim.drawdown:.2%}"
        return None

    def set(self, state, rule):
        self.state, self.rule = state, rule


def _signed(order, size=None):
    size = order.size if size is None else size
    return size if order.side == BUY else -size


def _reduces(order, position):
    """The order only brings the position closer to flat."""
    return position != 0 and (position > 0) != (order.side == BUY) and order.size <= abs(position) * (1 + 1e-9)
