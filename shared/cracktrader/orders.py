"""Orders: what a strategy asks for, and what became of it.

Types: market, limit, stop, stop-limit, trailing stop (by amount or percent); brackets are an
entry with a stop-loss and/or take-profit exit that wait for the entry to fill and cancel each
other. Time in force: GTC (until filled or canceled) or IOC (the first bar it can fill, else
expired). Sizes are units of the base asset, fractional; they are fixed when the order is
submitted (from `size`, `cash` or `percent` of equity at the last known price).

An order may fill in parts (a volume limit in a backtest or paper run, the exchange live): each
part moves `filled`, the average `price` and `commission`, and the order is "partial" until the
rest fills ("filled") or ends (canceled, expired, rejected: `filled` keeps what did fill).
"""

import math

MARKET, LIMIT, STOP, STOP_LIMIT, TRAILING_STOP = "market", "limit", "stop", "stop_limit", "trailing_stop"
BUY, SELL = "buy", "sell"
GTC, IOC = "GTC", "IOC"

ACCEPTED = "accepted"  # working: it can fill from the next bar
WAITING = "waiting"    # a bracket exit waiting for its entry to fill
PARTIAL = "partial"    # partly filled, the rest still working
FILLED = "filled"
CANCELED = "canceled"
REJECTED = "rejected"
EXPIRED = "expired"    # IOC that could not fill on its bar
ALIVE = (ACCEPTED, WAITING, PARTIAL)
WORKING = (ACCEPTED, PARTIAL)  # on the book: can fill


class Order:
    """One order. `status` moves from accepted/waiting to filled, canceled, rejected or
    expired; `reason` and `rule` say why for the last three."""

    __slots__ = (
        "id", "feed", "side", "type", "size", "limit", "stop", "trail", "trail_percent", "tif",
        "fill_at", "reduce_only", "parent", "children", "oco", "status", "reason", "rule",
        "created", "created_step", "filled", "price", "commission", "time", "step",
        "triggered", "trail_stop", "trail_extreme",
    )

    def __init__(self, id, feed, side, type, size, limit=None, stop=None, trail=None, trail_percent=None,
                 tif=GTC, fill_at="open", reduce_only=False, created=0, created_step=0):
        self.id, self.feed, self.side, self.type, self.size = id, feed, side, type, size
        self.limit, self.stop, self.trail, self.trail_percent = limit, stop, trail, trail_percent
        self.tif, self.fill_at, self.reduce_only = tif, fill_at, reduce_only
        self.parent, self.children, self.oco = None, (), None
        self.status, self.reason, self.rule = ACCEPTED, "", ""
        self.created, self.created_step = created, created_step
        self.filled, self.price, self.commission, self.time, self.step = 0.0, None, 0.0, None, None
        self.triggered = False
        self.trail_stop = self.trail_extreme = None

    @property
    def alive(self):
        """Still working (or waiting for its bracket entry)."""
        return self.status in ALIVE

    @property
    def remaining(self):
        """The size still to fill."""
        return self.size - self.filled

    def to_dict(self):
        return {
            "id": self.id, "feed": self.feed.index, "side": self.side, "type": self.type, "size": self.size,
            "limit": self.limit, "stop": self.stop, "trail": self.trail, "trail_percent": self.trail_percent,
            "tif": self.tif, "status": self.status, "rule": self.rule, "reason": self.reason,
            "created": self.created, "filled": self.filled, "price": self.price,
            "commission": self.commission, "time": self.time,
            "parent": self.parent.id if self.parent else None,
        }

    def __repr__(self):
        what = {LIMIT: f" limit {self.limit}", STOP: f" stop {self.stop}",
                STOP_LIMIT: f" stop {self.stop} limit {self.limit}",
                TRAILING_STOP: f" trail {self.trail if self.trail is not None else f'{self.trail_percent}%'}"}.get(self.type, "")
        done = f" @ {self.price}" if self.status == FILLED else (f" ({self.reason})" if self.reason else "")
        return f"<Order {self.id} {self.side} {self.size:g} {self.feed.name} {self.type}{what} {self.status}{done}>"


def reason(order):
    """Why a fill of `order` happened, as a trade records it: "stop_loss" and "take_profit" for
    a bracket's exits, "trailing" for a trailing stop, "signal" for any other order (the
    strategy's own)."""
    if order.type == TRAILING_STOP:
        return "trailing"
    if order.parent is not None:
        return "stop_loss" if order.type == STOP else "take_profit"
    return "signal"


def order_type(limit, stop, trail, trail_percent):
    """The order type the price arguments describe, or ValueError for a contradictory mix."""
    if trail is not None or trail_percent is not None:
        if trail is not None and trail_percent is not None:
            raise ValueError("a trailing stop takes trail= (amount) or trail_percent=, not both")
        if limit is not None or stop is not None:
            raise ValueError("a trailing stop takes trail= or trail_percent=, not limit= or stop=")
        return TRAILING_STOP
    if limit is not None and stop is not None:
        return STOP_LIMIT
    if limit is not None:
        return LIMIT
    if stop is not None:
        return STOP
    return MARKET


def check_number(name, value):
    """A price or size argument as float; TypeError for a non-number (a bug in the strategy)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            return float(value.__float__())  # numpy scalars and the like
        except AttributeError:
            raise TypeError(f"{name} must be a number, got {type(value).__name__}") from None
    return float(value)


def problem(size, limit, stop, trail, trail_percent):
    """(rule, reason) for values no exchange would take, or None: checked at submission so the
    order is rejected with its reason rather than failing later."""
    if limit is not None or stop is not None or trail is not None or trail_percent is not None:  # (not a market order)
        for name, value in (("limit", limit), ("stop", stop), ("trail", trail), ("trail_percent", trail_percent)):
            if value is None:
                continue
            if not math.isfinite(value):
                return "price_not_finite", f"{name} is {value}"
            if value <= 0:
                return "price_not_positive", f"{name} must be > 0, got {value}"
    if trail_percent is not None and trail_percent >= 100:
        return "price_not_positive", f"trail_percent must be < 100, got {trail_percent}"
    if not math.isfinite(size):
        return "amount_not_finite", f"size is {size}"
    if size <= 0:
        return "amount_not_positive", f"size must be > 0, got {size}"
    return None


def trail_level(order, extreme):
    """A trailing stop's level from the best price seen (highest for a sell, lowest for a buy)."""
    if order.trail is not None:
        return extreme - order.trail if order.side == SELL else extreme + order.trail
    step = extreme * (order.trail_percent / 100)
    return extreme - step if order.side == SELL else extreme + step


def make_order(engine, side, size, data=None, cash=None, percent=None, limit=None, stop=None, trail=None,
               trail_percent=None, tif=GTC, stop_loss=None, take_profit=None, fill=None, reduce_only=False):
    """The order (and bracket exits) a buy/sell call describes. Programming errors (wrong
    types, contradictory arguments) raise; values an exchange would refuse (size <= 0, NaN
    prices) give a rejected order instead."""
    feed = engine.feeds[0] if data is None else data
    if data is not None and not any(feed is f for f in engine.feeds):
        raise ValueError(f"data={data!r} is not a feed of this run (use self.data or self.datas[i])")
    # (each check only when its argument is given: most orders are plain market orders)
    kind = MARKET
    if limit is not None or stop is not None or trail is not None or trail_percent is not None:
        limit, stop = check_number("limit", limit), check_number("stop", stop)
        trail, trail_percent = check_number("trail", trail), check_number("trail_percent", trail_percent)
        kind = order_type(limit, stop, trail, trail_percent)
    bracket = stop_loss is not None or take_profit is not None
    if bracket:
        stop_loss, take_profit = check_number("stop_loss", stop_loss), check_number("take_profit", take_profit)
    if tif is not GTC:
        tif = str(tif).upper()
        if tif not in (GTC, IOC):
            raise ValueError(f"tif must be 'GTC' or 'IOC', got {tif!r}")
    fill = engine.fill if fill is None else fill
    if fill not in ("open", "close"):
        raise ValueError(f"fill must be 'open' or 'close', got {fill!r}")
    how = None if size is None else "size"
    if cash is not None or percent is not None:
        given = [k for k, v in (("size", size), ("cash", cash), ("percent", percent)) if v is not None]
        if len(given) > 1:
            raise ValueError(f"give one of size=, cash=, percent=, not {' and '.join(given)}")
        how = given[0]
    ref = limit if limit is not None else stop
    if ref is None and feed.i >= 0:
        ref = feed.close.values[feed.i]
    units = _units(engine, how, size, cash, percent, ref)
    time = feed.time.values[feed.i] if feed.i >= 0 else None
    engine.ids += 1
    order = Order(engine.ids, feed, side, kind, units, limit, stop, trail, trail_percent, tif,
                  fill if kind == MARKET else "open", reduce_only, time, engine.abs_step)
    exits = []
    other = SELL if side == BUY else BUY
    for price, exit_kind in ((stop_loss, STOP), (take_profit, LIMIT)) if bracket else ():
        if price is not None:
            engine.ids += 1
            exits.append(Order(engine.ids, feed, other, exit_kind, units, limit=price if exit_kind == LIMIT else None,
                               stop=price if exit_kind == STOP else None, reduce_only=True, created=time,
                               created_step=engine.abs_step))
    return order, exits


def _units(engine, how, size, cash, percent, ref):
    if how is None:
        how, size, percent = engine.sizing
        cash = None
    if how == "size":
        return check_number("size", size)
    if ref is None or ref != ref:
        return float("nan")  # no price to size from: rejected as amount_not_finite
    if how == "cash":
        return check_number("cash", cash) / ref
    return engine.broker.value / ref * (check_number("percent", percent) / 100)
