"""Choosing the engine for a backtest: the vectorized kernel when the strategy and settings
qualify, the event engine otherwise — with the same Result either way. `ct.backtest` asks
`why_not` on every run (engine="auto"); a Plan says beforehand.

    p = ct.vectorized.plan(SmaCross, data, params=dict(fast=5), settings=dict(commission=0.001))
    p.engine      # "vectorized" or "event"
    p.reason      # why not vectorized (None when it is)
    result = p.run()   # == ct.backtest(SmaCross, data, params=..., **settings)

A strategy qualifies when it is a `SignalStrategy` that trades only through its signals (no
`next`, `prenext`, `notify_order`, `notify_trade` or `stop` of its own), over one feed, without
`intrabar_data`, `volume_limit` or `start`, and with `market_rules` (if any) a `cracktrader.kernels.MarketRules`.

`supports(strategy, settings)` says whether any run of a strategy can qualify;
`run_strategy(strategy, data, params=, start=, **settings)` is `plan(...).run()`. (The
optimizer's trial runs ct.backtest, which routes the same way.)
"""

from ..backtest import backtest, why_event
from .signals import SignalStrategy

VECTORIZED, EVENT = "vectorized", "event"
_HOOKS = ("next", "prenext", "notify_order", "notify_trade", "stop")


class Plan:
    """A backtest and the engine that will run it (`engine`, and `reason` when it is the event
    engine). `run(progress=None)` returns its Result."""

    __slots__ = ("strategy", "data", "params", "settings", "engine", "reason")

    def __init__(self, strategy, data, params, settings, reason):
        self.strategy, self.data, self.params, self.settings = strategy, data, params, settings
        self.engine, self.reason = (EVENT, reason) if reason else (VECTORIZED, None)

    @property
    def fast(self):
        return self.engine == VECTORIZED

    def run(self, progress=None):
        return backtest(self.strategy, self.data, params=self.params, progress=progress, **self.settings)

    def __repr__(self):
        why = f" ({self.reason})" if self.reason else ""
        return f"<Plan {getattr(self.strategy, '__name__', self.strategy)} on the {self.engine} engine{why}>"


def plan(strategy, data, params=None, settings=None):
    """How `ct.backtest(strategy, data, params=params, **settings)` will run: a Plan (`settings`
    may hold ct.backtest's `engine`)."""
    settings = dict(settings or {})
    return Plan(strategy, data, params, settings, why_event(settings.get("engine", "auto"), strategy, data, settings))


def supports(strategy, settings):
    """Whether the kernel can run `strategy` with `settings` (the data is checked per run)."""
    return settings.get("engine", "auto") != "event" and why_not(strategy, None, settings) is None


def run_strategy(strategy, data, params=None, start=None, **settings):
    """`plan(...).run()`: the Result of ct.backtest(strategy, data, params=params, start=start,
    **settings), on the kernel when the plan allows."""
    if start is not None:
        settings["start"] = start
    return plan(strategy, data, params, settings).run()


def why_not(strategy, data, settings):
    """Why the vectorized kernel cannot run this backtest, or None when it can."""
    if not (isinstance(strategy, type) and issubclass(strategy, SignalStrategy)):
        name = getattr(strategy, "__name__", repr(strategy))
        return f"{name} does not declare its trades as signals (a ct.vectorized.SignalStrategy)"
    own = [name for name in _HOOKS if getattr(strategy, name) is not getattr(SignalStrategy, name)]
    if own:
        return f"{strategy.__name__} defines {', '.join(f'{name}()' for name in own)}: only the event engine calls it"
    if isinstance(data, (list, tuple)) and len(data) != 1:
        return f"{len(data)} feeds: the vectorized kernel runs one market"
    if settings.get("intrabar_data") is not None:
        return "intrabar_data: sub-bar replay runs in the event engine"
    if settings.get("volume_limit") is not None:
        return "volume_limit: partial fills run in the event engine"
    if settings.get("start") is not None:
        return "start: a run that reports from a later bar runs in the event engine"
    rules = settings.get("market_rules")
    rules = rules.get(0) if isinstance(rules, dict) else rules
    if rules is not None:
        from ..kernels.orders import MarketRules

        if not isinstance(rules, MarketRules):
            return f"market_rules {type(rules).__name__}: the kernel validates with cracktrader.kernels.MarketRules"
    return None
