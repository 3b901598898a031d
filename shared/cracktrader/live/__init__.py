"""Live and paper trading: the same Strategy, the same engine, bar by bar through ccxt.

    import cracktrader as ct
    ct.live(SmaCross, exchange="binance", symbol="BTC/USDT", timeframe="1m", mode="paper",
            journal="btc.journal")

Modules: `session` (the loop), `commands` (commands, risk state, kill switch), `orderpath`
(rules -> risk -> journal -> request, and back),
`brokers` (the engine's broker for an exchange), `venue` (what is asked of the exchange),
`client` (the ccxt exchange, its clock, fault rules), `journal` (SQLite), `risk`, `replay` and
`reconcile` (restarts), `control` and `state` (for other processes), `ids`, `keys`,
`marketdata`, `config`. ccxt is imported only when a session connects.
"""

import sys

from .config import LiveError, RiskLimits, SessionConfig
from .control import read_bars, read_events, read_state, running, send_command

__all__ = ["LiveError", "RiskLimits", "Session", "SessionConfig", "read_bars", "read_events", "read_state", "run", "running",
           "send_command", "strategy_source"]


def __getattr__(name):
    if name == "Session":
        from .session import Session

        return Session
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run(strategy, *, exchange, symbol, timeframe, journal, mode="paper", sandbox=False, live=False, params=None,
        risk=None, keys=None, key_file=None, adopt_position=False, bars=None, out=None, **settings):
    """Runs `strategy` (a ct.Strategy subclass, or a file "strategy.py[:Class]") live until it is
    stopped (or for `bars` new bars); returns the Session (`.result()`). `settings`: cash,
    commission, slippage, intrabar, volume_limit, sizing, warmup, keep_bars, exchange_config, clock,
    poll, cache. Keys: `keys={"apiKey", "secret"}`, a `key_file`, or the environment."""
    from .keys import load_keys
    from .session import Session

    source, name, filename = strategy_source(strategy)
    config = SessionConfig(strategy_source=source, strategy_class=name, strategy_file=filename, exchange=exchange,
                           symbol=symbol, timeframe=timeframe, mode=mode, sandbox=sandbox, live=live,
                           params=dict(params or {}), risk=risk, key_file=str(key_file) if key_file else None,
                           **settings)
    if mode == "exchange" and keys is None:
        keys = load_keys(exchange, key_file)
    session = Session(config, journal, keys=keys, adopt_position=adopt_position, out=out)
    return session.run(bars=bars)


def strategy_source(strategy):
    """(source, class name, file name) of a "file.py[:Class]" spec, or of a Strategy class: the
    source of the file that defines it (kept in the journal and run again on restart, so keep
    strategies in files of their own)."""
    import inspect
    from pathlib import Path

    if isinstance(strategy, (str, Path)):
        path, _, name = str(strategy).partition(":")
        try:
            return Path(path).read_text(), name or None, path
        except OSError as e:
            raise LiveError(f"{path}: cannot read the strategy file ({e.strerror})") from None
    try:
        filename = inspect.getsourcefile(strategy)
        source = Path(filename).read_text()
    except (OSError, TypeError):
        raise LiveError(f"{getattr(strategy, '__name__', strategy)}: its source file cannot be found; give the "
                        "strategy file instead") from None
    return source, strategy.__name__, filename


class _Module(type(sys)):
    """`ct.live(...)` runs a session: once this package is imported it is the attribute
    `cracktrader.live`, in place of the function that imported it, so the package is callable."""

    def __call__(self, strategy, **options):
        return run(strategy, **options)


sys.modules[__name__].__class__ = _Module
