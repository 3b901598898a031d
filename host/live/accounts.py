"""Exchange accounts, by name. The browser picks a name; the host holds what it means: the
exchange, its key file (read only by the session's worker, never by the host, never sent
anywhere), the sandbox flag, ccxt settings (a testnet's or a proxy's URLs) and which clock to
follow. An account without a key file gives market data only: paper sessions.

    {"binance-main": {"exchange": "binance", "key_file": "/etc/cracktrader/binance.json"},
     "binance-test": {"exchange": "binance", "key_file": "...", "sandbox": true}}
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Account:
    name: str
    exchange: str
    key_file: str = None
    sandbox: bool = False
    exchange_config: dict = field(default_factory=dict)
    clock: str = "local"  # "exchange": follow the exchange's clock (a simulator's)

    @property
    def trades(self):
        """Whether it can place orders (it has keys)."""
        return self.key_file is not None

    def public(self):
        """What the page may know about it: never the key file."""
        return {"name": self.name, "exchange": self.exchange, "sandbox": self.sandbox, "trading": self.trades}


def accounts_from(config):
    """{name: Account} from {name: {"exchange", "key_file", "sandbox", "exchange_config", "clock"}}
    (the config file's [accounts.NAME]; `exchange_config` a dict of ccxt settings or the path of a
    JSON file holding them)."""
    import json
    from pathlib import Path

    out = {}
    for name, values in (config or {}).items():
        if isinstance(values, Account):
            out[name] = values
            continue
        known = {"exchange", "key_file", "sandbox", "exchange_config", "clock"}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"account {name}: unknown setting(s) {', '.join(sorted(unknown))}")
        key_file, settings = values.get("key_file"), values.get("exchange_config") or {}
        if isinstance(settings, (str, Path)):
            settings = json.loads(Path(settings).read_text())
        out[name] = Account(name=name, exchange=values["exchange"], key_file=str(key_file) if key_file else None,
                            sandbox=bool(values.get("sandbox", False)), exchange_config=dict(settings),
                            clock=values.get("clock") or "local")
    return out
