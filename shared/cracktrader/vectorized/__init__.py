"""Vectorized signal backtests: whole columns of entry and exit signals simulated in one
compiled call (the Rust kernel, native or WASM), with the event engine's rules — the same
trades, fees, equity and Result as `ct.backtest` gives for the equivalent strategy.

    import cracktrader as ct

    result = ct.vectorized.backtest(data, entries, exits, commission=0.001, stop_loss=0.05)
    table = ct.vectorized.sweep(data, [(SmaCross, dict(fast=f, slow=s)) for f, s in grid], top=3)
    ct.vectorized.plan(SmaCross, data, params, settings).run()   # fast path when it qualifies

`SignalStrategy` / `Signals` declare a strategy's trades as signals (signals.py has the
rules); docs/vectorized.md says what the fast path supports.
"""

from .plan import EVENT, VECTORIZED, Plan, plan, run_strategy, supports
from .signals import ArraySignals, SignalStrategy, Signals
from .sweep import Sweep, sweep


def backtest(data, entries, exits=None, *, direction="long", stop_loss=None, take_profit=None, trail_stop=None,
             size=None, size_type="units", progress=None, **settings):
    """Backtest entry and exit signals over `data` with the kernel: the Result of
    `ct.backtest(ArraySignals, data, params=dict(signals=Signals(entries, exits, ...)), **settings)`.

    `entries`/`exits`: one value per bar (bools or numbers; with direction="both", +1 long and
    -1 short), lines, or functions of the data feed returning them (`lambda d:
    ct.ind.CROSSOVER(ct.ind.SMA(d.close, 10), ct.ind.SMA(d.close, 30))`). The rest as `Signals`;
    `settings` as ct.backtest's (cash, commission, slippage, fill, intrabar, leverage, sizing,
    market_rules)."""
    signals = Signals(entries, exits, direction=direction, stop_loss=stop_loss, take_profit=take_profit,
                      trail_stop=trail_stop, size=size, size_type=size_type)
    p = plan(ArraySignals, data, params=dict(signals=signals), settings=settings)
    if not p.fast:
        raise ValueError(f"ct.vectorized.backtest: {p.reason} (ct.backtest(ct.vectorized.ArraySignals, ...) runs "
                         "the same signals in the event engine)")
    return p.run(progress)


__all__ = ["ArraySignals", "EVENT", "Plan", "SignalStrategy", "Signals", "Sweep", "VECTORIZED", "backtest", "plan",
           "run_strategy", "supports", "sweep"]
