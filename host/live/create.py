"""A request for a new session (`POST /api/live`), checked into the core's `SessionConfig`.

Body: {"strategy": "<python source>", "strategy_class", "name", "account" (a name from
GET /api/live/accounts), "exchange" (paper sessions without an account: public market data),
"symbol", "timeframe", "mode": "paper" (default) | "exchange", "confirm_live": true (required
when the session would trade real money), "cash", "commission", "slippage", "intrabar",
"volume_limit", "sizing", "warmup", "keep_bars", "market_data" (auto | trades | klines | rest), "risk": {limits},
"params": {...}}.

The account decides the exchange, the sandbox, the ccxt settings and the keys (its key file's
path goes to the worker, which reads it); the host's default risk limits apply unless the
request sets them. Problems raise `RequestError` (400, naming the field; 422 for the strategy's
source, with its line).
"""

import ast

MAX_SOURCE = 1_000_000
SETTINGS = ("cash", "commission", "slippage", "intrabar", "volume_limit", "sizing", "warmup", "keep_bars", "market_data")
FIELDS = {"strategy", "strategy_class", "name", "account", "exchange", "symbol", "timeframe", "mode", "confirm_live",
          "risk", "params", *SETTINGS}


class RequestError(ValueError):
    def __init__(self, message, status=400, **info):
        super().__init__(message)
        self.status, self.info = status, info


def session_config(body, accounts, risk_defaults=None, poll=1.0, cache=None):
    """(SessionConfig, Account or None, display name) for a request body (a dict)."""
    from cracktrader.live import LiveError, SessionConfig

    if not isinstance(body, dict):
        raise RequestError("the body must be a JSON object")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise RequestError(f"unknown field(s): {', '.join(unknown)}", field=unknown[0])
    source = body.get("strategy")
    if not isinstance(source, str) or not source.strip():
        raise RequestError("strategy: the Python source of the strategy is required", field="strategy")
    if len(source) > MAX_SOURCE:
        raise RequestError("strategy: the source is longer than 1 MB", field="strategy")
    try:
        ast.parse(source, filename="strategy.py")
    except SyntaxError as e:
        raise RequestError(f"strategy.py, line {e.lineno}: {e.msg}", status=422, kind="strategy", line=e.lineno) from None
    mode = body.get("mode", "paper")
    if mode not in ("paper", "exchange"):
        raise RequestError(f"mode must be paper or exchange, got {mode!r}", field="mode")
    account = _account(body, accounts, mode)
    for key in ("symbol", "timeframe"):
        if not isinstance(body.get(key), str) or not body[key]:
            raise RequestError(f"{key} is required (e.g. {'BTC/USDT' if key == 'symbol' else '1m'})", field=key)
    for key, kind in (("params", dict), ("risk", dict), ("strategy_class", str), ("name", str)):
        if body.get(key) is not None and not isinstance(body[key], kind):
            raise RequestError(f"{key} must be {'an object' if kind is dict else 'a string'}", field=key)
    live = mode == "exchange" and not (account and account.sandbox)
    if live and body.get("confirm_live") is not True:
        raise RequestError(f"this session would trade real money on the account {account.name}: send "
                           '"confirm_live": true to confirm', field="confirm_live")
    risk = {**(risk_defaults or {}), **(body.get("risk") or {})}
    settings = {k: body[k] for k in SETTINGS if body.get(k) is not None}
    try:
        config = SessionConfig(
            strategy_source=source, strategy_class=body.get("strategy_class"), strategy_file="strategy.py",
            exchange=account.exchange if account else body.get("exchange", ""), symbol=body["symbol"],
            timeframe=body["timeframe"], mode=mode, sandbox=bool(account and account.sandbox), live=live,
            params=dict(body.get("params") or {}), risk=risk,
            exchange_config=dict(account.exchange_config) if account else {},
            key_file=account.key_file if mode == "exchange" else None,
            clock=account.clock if account else "local", poll=poll, cache=cache, **settings)
    except (LiveError, TypeError) as e:
        raise RequestError(str(e)) from None
    name = body.get("name") or f"{config.strategy_class or 'strategy'} {config.symbol} {config.timeframe} {mode}"
    return config, account, name[:120]


def _account(body, accounts, mode):
    name = body.get("account")
    if name is None:
        if mode == "exchange":
            raise RequestError("account: exchange sessions trade on an account (GET /api/live/accounts lists them)",
                               field="account")
        import ccxt

        exchange = body.get("exchange")
        if exchange not in ccxt.exchanges:
            raise RequestError(f"exchange: a ccxt exchange id (e.g. binance) or an account is required, got {exchange!r}",
                               field="exchange")
        return None
    if name not in accounts:
        raise RequestError(f"account: no account named {name!r} (known: {', '.join(sorted(accounts)) or 'none'})",
                           field="account")
    account = accounts[name]
    if mode == "exchange" and not account.trades:
        raise RequestError(f"account {name} has no keys: it serves paper sessions only", field="account")
    return account
