"""A session's settings and risk limits: checked once, stored in its journal as JSON (never a
secret: keys come from the environment or a key file, see secrets.py), read back on restart."""

import dataclasses
import hashlib
import math
from dataclasses import dataclass, field

from ..candles import timeframe_ms

MODES = ("paper", "exchange")
KEEP_BARS = 20_000  # the default history kept: twice the live chart's (chart.HISTORY), far past any warm-up
MARKET_DATA = ("auto", "trades", "klines", "rest")
BREACH = ("reducing", "halted")
SECRET_FIELDS = ("apikey", "secret", "password", "privatekey", "uid", "token", "walletaddress", "twofa")
SECRET_PARTS = ("apikey", "secret", "password", "privatekey")  # also inside a name: headers' X-MBX-APIKEY


class LiveError(Exception):
    """A session cannot start or go on: the message is one line for people."""


@dataclass
class RiskLimits:
    """Limits every order must pass before it leaves (None: no limit). Money is in the quote
    currency; `max_daily_loss` is money or a percent of the UTC day's starting equity ("5%"),
    `max_drawdown` a fraction of the session's peak equity (0.1) or a percent ("10%").
    A breach of the loss or drawdown limit moves the session to `on_breach`."""

    max_position_notional: float = None
    max_order_notional: float = None
    max_open_orders: int = None
    max_orders_per_minute: int = None
    max_daily_loss: float | str = None
    max_drawdown: float | str = None
    on_breach: str = "halted"

    def __post_init__(self):
        for name in ("max_position_notional", "max_order_notional"):
            _positive(name, getattr(self, name))
        for name in ("max_open_orders", "max_orders_per_minute"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise LiveError(f"{name} must be a whole number >= 1, got {value!r}")
        self.daily_loss = _money_or_percent("max_daily_loss", self.max_daily_loss)
        drawdown = _money_or_percent("max_drawdown", self.max_drawdown)
        if drawdown is not None:
            kind, value = drawdown
            if kind == "money" and not value < 1:
                raise LiveError(f"max_drawdown is a fraction of the peak equity (0.1) or a percent ('10%'), got {self.max_drawdown!r}")
            self.drawdown = value if kind == "money" else value / 100
        else:
            self.drawdown = None
        if self.on_breach not in BREACH:
            raise LiveError(f"on_breach must be one of {', '.join(BREACH)}, got {self.on_breach!r}")

    def to_dict(self):
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def of(cls, value):
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            unknown = set(value) - {f.name for f in dataclasses.fields(cls)}
            if unknown:
                raise LiveError(f"unknown risk limit(s): {', '.join(sorted(unknown))}")
            return cls(**value)
        raise LiveError(f"risk: expected RiskLimits or a dict, got {type(value).__name__}")


def _positive(name, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf):
        raise LiveError(f"{name} must be a positive number, got {value!r}")


def _money_or_percent(name, value):
    """("money", x) or ("percent", x) or None."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text[:-1]) if text.endswith("%") else float(text)
        except ValueError:
            raise LiveError(f"{name}: expected money (500) or a percent ('5%'), got {value!r}") from None
        _positive(name, number)
        return ("percent", number) if text.endswith("%") else ("money", number)
    _positive(name, value)
    return "money", float(value)


@dataclass
class SessionConfig:
    """Everything a session needs, but its keys. `strategy_source` is kept so a restart runs the
    very code that made the journal (a changed file is refused)."""

    strategy_source: str
    strategy_class: str
    exchange: str
    symbol: str
    timeframe: str
    mode: str = "paper"
    strategy_file: str = "strategy.py"
    params: dict = field(default_factory=dict)
    sandbox: bool = False
    live: bool = False  # real money: only with this set
    cash: float = None  # the session's budget (paper: its balance); None: exchange mode uses the free quote
    commission: float = 0.001  # paper fees (exchange mode: the exchange's)
    slippage: float = 0.0  # paper
    intrabar: str = "adverse"  # paper
    volume_limit: float = None  # paper
    sizing: str | float = "95%"
    warmup: int = None  # history bars before the first live one (default: what the indicators need, at least 500)
    # the bars of history the engine keeps (at least; up to a quarter more): memory stays flat over
    # months. Indicators go on from their streaming state; the strategy reads back at most this far.
    keep_bars: int = KEEP_BARS
    exchange_config: dict = field(default_factory=dict)  # ccxt settings (urls, options, proxies, rateLimit)
    key_file: str = None  # path of the key file (exchange mode), else keys from the environment
    risk: RiskLimits = field(default_factory=RiskLimits)
    clock: str = "local"  # "exchange": follow the exchange's time, read every `poll` seconds (simulators)
    poll: float = 1.0  # seconds between looks at commands and, with clock="exchange", at the exchange's time
    cache: str = None  # candle cache directory (default: the user's; a sandbox session uses <cache>/sandbox)
    market_data: str = "auto"  # bars from the trade stream, the candle stream, or REST polling (stream.py)

    def __post_init__(self):
        self.risk = RiskLimits.of(self.risk)
        if self.mode not in MODES:
            raise LiveError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        try:
            self.bar_ms = timeframe_ms(self.timeframe)
        except ValueError as e:
            raise LiveError(str(e)) from None
        if not isinstance(self.symbol, str) or "/" not in self.symbol:
            raise LiveError(f"symbol must be a ccxt symbol like BTC/USDT, got {self.symbol!r}")
        if self.mode == "exchange" and not (self.sandbox or self.live):
            raise LiveError("exchange mode trades real money: pass --live (or --sandbox for the exchange's test network)")
        if self.sandbox and self.live:
            raise LiveError("--sandbox and --live exclude each other")
        if self.mode == "paper" and self.cash is None:
            self.cash = 10_000.0
        _positive("cash", self.cash)
        if self.warmup is not None and (isinstance(self.warmup, bool) or not isinstance(self.warmup, int) or self.warmup < 0):
            raise LiveError(f"warmup must be a number of bars >= 0, got {self.warmup!r}")
        if isinstance(self.keep_bars, bool) or not isinstance(self.keep_bars, int) or self.keep_bars < 1:
            raise LiveError(f"keep_bars must be a number of bars >= 1, got {self.keep_bars!r}")
        if self.market_data not in MARKET_DATA:
            raise LiveError(f"market_data must be one of {', '.join(MARKET_DATA)}, got {self.market_data!r}")
        if self.clock not in ("local", "exchange"):
            raise LiveError(f"clock must be 'local' or 'exchange', got {self.clock!r}")
        _positive("poll", self.poll)
        found = secret_keys(self.exchange_config)
        if found:
            raise LiveError(f"the exchange config holds {', '.join(found)}: keys go in a key file (--key-file) or "
                            "the environment, never in the config the journal keeps")

    @property
    def base(self):
        return self.symbol.split("/")[0]

    @property
    def quote(self):
        return self.symbol.split("/")[1].split(":")[0]

    @property
    def strategy_hash(self):
        return hashlib.sha256(self.strategy_source.encode()).hexdigest()

    def to_dict(self):
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["risk"] = self.risk.to_dict()
        return out

    @classmethod
    def from_dict(cls, data):
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def secret_keys(config, path=""):
    """The keys of a (nested) ccxt config that hold credentials."""
    found = []
    if isinstance(config, dict):
        for k, v in config.items():
            name = f"{path}{k}"
            key = str(k).lower().replace("_", "").replace("-", "")
            if key in SECRET_FIELDS or any(part in key for part in SECRET_PARTS):
                found.append(name)
            found += secret_keys(v, name + ".")
    return found
