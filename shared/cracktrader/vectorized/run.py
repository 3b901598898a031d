"""Running a SignalStrategy with the kernel: the prepared engine's feed, settings and signals
in; the same Result as the event engine's out (trades, orders with their rules and reasons,
equity, statistics).
"""

from ..accounting import Trade
from ..fills import POLICIES
from ..orders import (ACCEPTED, BUY, CANCELED, FILLED, LIMIT, MARKET, REJECTED, SELL, STOP, TRAILING_STOP,
                      WAITING, Order, problem)
from ..errors import OrderRejected
from ..result import Result
from ..stats import Measures
from .signals import kernel_spec

_TYPES = (MARKET, LIMIT, STOP, TRAILING_STOP)
_STATUS = (ACCEPTED, WAITING, FILLED, CANCELED, REJECTED)
_COUNTS = {"bars", "start", "end", "drawdown_ms", "drawdown_bars", "trades", "wins", "losses", "open_trades",
           "exposed_bars"}


class KernelResult(Result):
    """A Result computed by the kernel: its statistics from the kernel's measures (the numbers
    `stats.measure` gives); its trades and orders built from the kernel's records when first
    read (a sweep's trial or an objective may never need them)."""

    engine = "vectorized"

    def __init__(self, *, measures, trade_records, order_records, prepared, **fields):
        self._measures, self._engine = measures, prepared  # the prepared Engine: its feed and settings
        self._records = {"trades": trade_records, "orders": order_records}
        self._built = {}
        super().__init__(trades=None, open_trades=None, orders=None, **fields)

    def _build(self, name):
        if name not in self._built:
            if name == "orders":
                self._built["orders"] = _orders(self._engine, self._records["orders"])
            else:
                trades = _trades(self._engine, self._records["trades"], self._build("orders"))
                self._built["trades"] = [t for t in trades if not t.is_open]
                self._built["open_trades"] = [t for t in trades if t.is_open]
        return self._built[name]

    def measures(self):
        return self._measures


def _built_on_read(name):
    def get(self):
        return self._build(name)

    def set(self, value):
        if value is not None:
            self._built[name] = value

    return property(get, set)


for _name in ("trades", "open_trades", "orders"):
    setattr(KernelResult, _name, _built_on_read(_name))


def as_measures(record):
    """stats.Measures from the kernel's record (NaN: None)."""
    return Measures(*(None if v != v else int(v) if name in _COUNTS else v for name, v in zip(Measures._fields, record)))


def market_rules(engine):
    """The run's MarketRules for its one feed, or None."""
    rules = engine.broker.market_rules
    return rules.get(0) if isinstance(rules, dict) else rules


def simulator(engine):
    """The kernel's SignalSim over the engine's feed, with its settings."""
    from ..kernels.vectorized import SignalSim

    feed, c, s = engine.feeds[0], engine.commission, engine.slippage
    return SignalSim(feed.time.values, feed.open.values, feed.high.values, feed.low.values, feed.close.values,
                     cash=engine.cash, maker=c.maker, taker=c.taker, fixed=c.fixed, bps=s.bps, range=s.range,
                     at_close=engine.fill == "close", policy=POLICIES.index(engine.intrabar), leverage=engine.leverage,
                     rules=market_rules(engine))


def column_spec(engine):
    """The kernel spec and signal columns of a prepared engine's SignalStrategy."""
    strategy = engine.strategy
    return kernel_spec(strategy.signal_spec, engine.sizing, engine.first_next()), strategy._entries, strategy._exits


def run(engine, sim=None):
    """The Result of a prepared engine (`backtest.prepare`) whose strategy is a qualifying
    SignalStrategy, computed by the kernel. (A NaN signal is the kernel's ValueError, worded as
    `signals.bad_signal` words the event engine's.)"""
    spec, entries, exits = column_spec(engine)
    return result(engine, *(sim or simulator(engine)).run(spec, entries, exits))


def result(engine, equity, trade_records, order_records, measures):
    """The Result from the kernel's outputs, as the engine would report it."""
    n = len(equity)
    return KernelResult(final_value=equity[n - 1] if n else engine.cash, cash=engine.cash, times=engine.times[:n],
                        equity=equity, bar_ms=engine.feeds[0].bar_ms, feeds=engine.feeds,
                        benchmark=engine.feeds[0].close.values[:n],
                        measures=as_measures(measures), trade_records=trade_records, order_records=order_records,
                        prepared=engine)


def _trades(engine, flat, orders):
    """Trades from their records (accounting.Trade, numbered in opening order, with the orders
    of their entry and last exit: `orders` by id from 1)."""
    from ..kernels.vectorized import TRADE_FIELDS

    feed = engine.feeds[0]
    times, trades = feed.time.values, []
    for id, r in enumerate(zip(*[iter(flat)] * TRADE_FIELDS), 1):
        side, size, entry_step, entry_price, exit_step, exit_price, exit_size, gross, commission, is_open, entry, exit = r
        t = Trade(id, feed, "long" if side == 0 else "short", times[int(entry_step)], int(entry_step),
                  orders[int(entry) - 1])
        t.size, t.entry_price, t.gross, t.commission, t.is_open = size, entry_price, gross, commission, bool(is_open)
        if exit_step == exit_step:
            t.exit_step = int(exit_step)
            t.exit_time, t.exit_price, t.exit_size = times[t.exit_step], exit_price, exit_size
            t.exit_order = orders[int(exit) - 1]
        trades.append(t)
    return trades


def _number(x):
    return None if x != x else x


def _orders(engine, flat):
    from ..kernels.vectorized import ORDER_FIELDS, REASONS

    records = list(zip(*[iter(flat)] * ORDER_FIELDS))
    feed, times, orders = engine.feeds[0], engine.feeds[0].time.values, []
    for r in records:
        (id, created, side, kind, size, limit, stop, trail_percent, reduce_only, at_close, parent, oco, status,
         reason, culprit, a, b, filled, price, fee, step, trail_stop, trail_extreme) = r
        o = Order(int(id), feed, BUY if side == 0 else SELL, _TYPES[int(kind)], size, _number(limit), _number(stop),
                  None, _number(trail_percent), fill_at="close" if at_close else "open", reduce_only=bool(reduce_only),
                  created=times[int(created)], created_step=int(created))
        o.status, o.rule = _STATUS[int(status)], REASONS[int(reason)]
        o.filled, o.price, o.commission = filled, _number(price), fee
        if step == step:
            o.time, o.step = times[int(step)], int(step)
        o.trail_stop, o.trail_extreme = _number(trail_stop), _number(trail_extreme)
        orders.append(o)
    for o, r in zip(orders, records):
        parent, oco = r[10], r[11]
        if parent == parent:
            o.parent = orders[int(parent) - 1]
            o.parent.children += (o,)
            if o.parent.status == FILLED:  # an exit works from its entry's fill
                o.created_step = o.parent.step
        if oco == oco:
            o.oco = orders[int(oco) - 1]
    for o, r in zip(orders, records):
        if o.rule:
            o.reason = _reason(engine, o, orders[int(r[14]) - 1] if r[14] == r[14] else None, r[15], r[16])
    return orders


def _reason(engine, order, culprit, a, b):
    """The engine's message for an order's rule (broker.py, fills.py)."""
    rule = order.rule
    if rule == "insufficient_margin":
        need = "cash" if engine.leverage == 1 else "margin"
        return f"not enough {need}: needs {a:.10g}, the account would be worth {b:.10g} after fees"
    fixed = {"nothing_to_reduce": "reduce-only: no position to reduce", "position_closed": "the position is flat",
             "canceled": "canceled by the strategy"}
    if rule in fixed:
        return fixed[rule]
    if rule == "parent_not_filled":
        return f"entry order {order.parent.id} {order.parent.status}"
    if rule == "oco":
        return f"the other exit (order {order.oco.id}) filled"
    reason = _placement_reason(engine, culprit)
    return reason if culprit is order else f"{'take_profit' if culprit.type == LIMIT else 'stop_loss'}: {reason}"


def _placement_reason(engine, o):
    """Why an order failed its checks at placement, re-checked as Broker._check does."""
    found = problem(o.size, o.limit, o.stop, o.trail, o.trail_percent)
    if found:
        return found[1]
    rules = market_rules(engine)
    kind = "limit" if o.type == LIMIT else "market"
    close = engine.feeds[0].close.values[o.created_step]
    ref = o.limit if kind == "limit" else (o.stop if o.stop is not None else close)
    try:
        rules.validate(o.side, kind, o.size, ref)
    except OrderRejected as e:
        return str(e)
    try:
        rules.validate(o.side, "limit", o.size, o.stop)
    except OrderRejected as e:
        return f"stop price: {e}"
    raise AssertionError(f"order {o.id}: the kernel rejected it, its checks pass here")
