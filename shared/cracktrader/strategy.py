"""The Strategy API: subclass `ct.Strategy`, declare `params`, build indicators in `init()`,
trade in `next()`.

    class SmaCross(ct.Strategy):
        params = dict(fast=10, slow=30)

        def init(self):
            self.fast = ct.ind.SMA(self.data.close, self.p.fast)
            self.slow = ct.ind.SMA(self.data.close, self.p.slow)

        def next(self):
            if not self.position and self.fast[0] > self.slow[0]:
                self.buy()
            elif self.position and self.fast[0] < self.slow[0]:
                self.close()

`next()` runs once per bar from the first bar where every line built in `init()` has a value
(`prenext()` runs on the bars before). Orders placed in `next()` work from the next bar.
"""

from types import SimpleNamespace

from .orders import BUY, GTC, IOC, LIMIT, MARKET, SELL, STOP, Order, check_number, order_type


class Params(SimpleNamespace):
    """`self.p`: the strategy's parameters (class defaults, overridden per run)."""


def resolve_params(cls, overrides):
    """The class's params with `overrides` applied; unknown names are an error. Strings (from
    the command line) are converted to the default's type."""
    defaults = dict(getattr(cls, "params", None) or {})
    values = dict(defaults)
    for name, value in (overrides or {}).items():
        if name not in defaults:
            known = ", ".join(defaults) or "none"
            raise ValueError(f"{cls.__name__} has no parameter {name!r} (its parameters: {known})")
        values[name] = _convert(name, value, defaults[name])
    return Params(**values)


def _convert(name, value, default):
    if not isinstance(value, str) or isinstance(default, str) or default is None:
        return value
    try:
        if isinstance(default, bool):
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        return type(default)(value)
    except ValueError:
        raise ValueError(f"parameter {name}: cannot read {value!r} as {type(default).__name__}") from None


class Strategy:
    """Base class of strategies. The engine sets `data`, `datas`, `p`, `broker` and
    `position` before calling `init()`."""

    params = {}

    def init(self):
        """Build indicators here (computed once over the whole data)."""

    def prenext(self):
        """Called on the bars before every indicator has a value."""

    def next(self):
        """Called on every bar once the indicators have values: trade here."""

    def notify_order(self, order):
        """An order changed status: accepted, filled, canceled, rejected (see order.reason) or expired."""

    def notify_trade(self, trade):
        """A trade opened (trade.is_open) or closed."""

    # --- reading the account ---------------------------------------------------------------
    @property
    def orders(self):
        """The open orders (working, or bracket exits waiting for their entry)."""
        return self.broker.open_orders

    def getposition(self, data=None):
        """The position in `data` (default: the first feed)."""
        return self.broker.position(data)

    # --- orders -----------------------------------------------------------------------------
    def buy(self, size=None, **kwargs):
        """Buy `size` units (or `cash=` quote currency, or `percent=` of equity; default: the
        run's sizing). `limit=`, `stop=`, both (stop-limit), `trail=`/`trail_percent=` choose the
        type; `stop_loss=`/`take_profit=` make it a bracket; `tif="IOC"`; `fill="close"`;
        `data=` the feed. Returns the Order."""
        return self._engine.place(BUY, size, **kwargs)

    def sell(self, size=None, **kwargs):
        """Sell (or go short): the same arguments as `buy`."""
        return self._engine.place(SELL, size, **kwargs)

    def close(self, data=None, **kwargs):
        """Close the position in `data` with a market order (None when flat)."""
        pos = self.broker.position(data)
        if not pos.size:
            return None
        side = SELL if pos.size > 0 else BUY
        return self._engine.place(side, abs(pos.size), data=data, reduce_only=True, **kwargs)

    def cancel(self, order):
        """Cancel a working order; False if it had already filled or ended."""
        return self.broker.cancel(order)


def make_order(engine, side, size, data=None, cash=None, percent=None, limit=None, stop=None, trail=None,
               trail_percent=None, tif=GTC, stop_loss=None, take_profit=None, fill=None, reduce_only=False):
    """The order (and bracket exits) a buy/sell call describes. Programming errors (wrong
    types, contradictory arguments) raise; values an exchange would refuse (size <= 0, NaN
    prices) give a rejected order instead."""
    feed = engine.feeds[0] if data is None else data
    if not any(feed is f for f in engine.feeds):
        raise ValueError(f"data={data!r} is not a feed of this run (use self.data or self.datas[i])")
    limit, stop = check_number("limit", limit), check_number("stop", stop)
    trail, trail_percent = check_number("trail", trail), check_number("trail_percent", trail_percent)
    stop_loss, take_profit = check_number("stop_loss", stop_loss), check_number("take_profit", take_profit)
    kind = order_type(limit, stop, trail, trail_percent)
    tif = str(tif).upper()
    if tif not in (GTC, IOC):
        raise ValueError(f"tif must be 'GTC' or 'IOC', got {tif!r}")
    fill = engine.fill if fill is None else fill
    if fill not in ("open", "close"):
        raise ValueError(f"fill must be 'open' or 'close', got {fill!r}")
    given = [k for k, v in (("size", size), ("cash", cash), ("percent", percent)) if v is not None]
    if len(given) > 1:
        raise ValueError(f"give one of size=, cash=, percent=, not {' and '.join(given)}")
    ref = limit if limit is not None else stop
    if ref is None and feed.i >= 0:
        ref = feed.close.values[feed.i]
    units = _units(engine, given[0] if given else None, size, cash, percent, ref)
    time = feed.time.values[feed.i] if feed.i >= 0 else None
    engine.ids += 1
    order = Order(engine.ids, feed, side, kind, units, limit, stop, trail, trail_percent, tif,
                  fill if kind == MARKET else "open", reduce_only, time, engine.step)
    exits = []
    other = SELL if side == BUY else BUY
    for price, exit_kind in ((stop_loss, STOP), (take_profit, LIMIT)):
        if price is not None:
            engine.ids += 1
            exits.append(Order(engine.ids, feed, other, exit_kind, units, limit=price if exit_kind == LIMIT else None,
                               stop=price if exit_kind == STOP else None, reduce_only=True, created=time,
                               created_step=engine.step))
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
