"""The server's configuration file (TOML), described key by key in docs/config.md.

`load(path)` reads and checks it and returns the settings with every default filled in, or
raises `ConfigError` listing each problem with its line: a TOML syntax error, an unknown
section or key, a wrong type, a value out of range, a secret written inline (keys and tokens
live in files named here, never in this file), a file that is missing or readable by others.
Relative paths are relative to the file's folder. Command-line flags override what it says.
"""

import math
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

REQUIRED = object()


@dataclass(frozen=True)
class Key:
    types: tuple
    default: object
    check: object = None  # check(value, config_dir) -> error text or None
    path: bool = False    # a file or folder: resolved against the config file's folder


def _between(low, high):
    return lambda v, _: None if low <= v <= high else f"must be between {low:g} and {high:g}"


def _one_of(*choices):
    return lambda v, _: None if v in choices else "must be one of " + ", ".join(f'"{c}"' for c in choices)


def _address(v, _):
    import ipaddress

    if v == "localhost":
        return None
    try:
        ipaddress.ip_address(v)
    except ValueError:
        return "must be an IP address such as 127.0.0.1 (put a reverse proxy in front for names and TLS)"


def _names(v, _):
    return None if all(isinstance(x, str) and x for x in v) else "must be a list of host names"


def _percent_or_amount(v, _):
    if isinstance(v, str):
        m = re.fullmatch(r"(\d+(?:\.\d+)?)%", v.strip())
        return None if m and 0 < float(m.group(1)) <= 100 else 'must be an amount or a percentage such as "5%"'
    return None if v > 0 else "must be greater than 0"


def secret_file_problem(path):
    """Why a token or key file cannot be used, or None: it must exist, be readable and
    readable by its owner only (like ssh keys)."""
    try:
        mode = path.stat().st_mode
        if not path.is_file():
            return f"{path} is not a file"
        if mode & 0o077:
            return f"{path} can be read by other users (mode {mode & 0o777:o}): chmod 600 it"
        if not path.read_text().strip():
            return f"{path} is empty"
    except FileNotFoundError:
        return f"{path} does not exist"
    except OSError as e:
        return f"{path}: {e.strerror}"
    return None


def _secret_file(v, _):
    return secret_file_problem(v)


def _key_file(v, _):
    import json

    problem = secret_file_problem(v)
    if problem:
        return problem
    try:
        keys = json.loads(v.read_text())
    except ValueError:
        return f"{v} is not JSON: expected {{\"apiKey\": ..., \"secret\": ...}}"
    if not isinstance(keys, dict) or not {"apiKey", "secret"} <= set(keys):
        return f"{v} must hold a JSON object with ccxt's credential names, at least apiKey and secret"
    return None


def _exchange_config(v, _):
    import json

    from cracktrader.live.config import secret_keys

    try:
        settings = json.loads(v.read_text())
    except FileNotFoundError:
        return f"{v} does not exist"
    except (OSError, ValueError) as e:
        return f"{v} is not JSON ({type(e).__name__})"
    if not isinstance(settings, dict):
        return f"{v} must hold a JSON object of ccxt settings (urls, options, proxies, rateLimit)"
    found = secret_keys(settings)
    if found:
        return f"{v} holds {', '.join(found)}: keys go in the key_file"
    return None


def _folder(v, _):
    return None if v.is_dir() else f"{v} is not a folder"


def _log_file(v, _):
    return None if v.parent.is_dir() else f"the folder {v.parent} does not exist"


def _exchange(v, _):
    import ccxt

    return None if v in ccxt.exchanges else f'"{v}" is not a ccxt exchange id (e.g. "binance")'


NUMBER = (int, float)
SCHEMA = {
    "server": {
        "host": Key((str,), "127.0.0.1", _address),
        "port": Key((int,), 8000, _between(1, 65535)),
        "token_file": Key((str,), None, _secret_file, path=True),
        "allowed_hosts": Key((list,), [], _names),
        "web_dir": Key((str,), None, _folder, path=True),
        "stop_timeout_seconds": Key(NUMBER, 20, _between(1, 3600)),
    },
    "logging": {
        "format": Key((str,), "auto", _one_of("auto", "json", "text")),
        "level": Key((str,), "info", _one_of("debug", "info", "warning", "error")),
        "file": Key((str,), None, _log_file, path=True),
        "max_mb": Key(NUMBER, 10, _between(1, 100_000)),
        "backups": Key((int,), 5, _between(0, 1000)),
    },
    "data": {
        "cache_dir": Key((str,), None, path=True),
    },
    "runs": {
        "memory_mb": Key((int,), 2048, _between(64, 1_000_000)),
        "cpu_seconds": Key(NUMBER, 600, _between(1, 1_000_000)),
        "timeout_seconds": Key(NUMBER, 600, _between(1, 1_000_000)),
        "max_processes": Key((int,), 8, _between(1, 1024)),
        "max_concurrent": Key((int,), 2, _between(1, 1024)),
        "max_queued": Key((int,), 8, _between(0, 100_000)),
    },
    "risk": {
        "max_order_notional": Key(NUMBER, None, _between(0, math.inf)),
        "max_position_notional": Key(NUMBER, None, _between(0, math.inf)),
        "max_open_orders": Key((int,), None, _between(1, 1_000_000)),
        "max_orders_per_minute": Key((int,), None, _between(1, 1_000_000)),
        "max_daily_loss": Key(NUMBER + (str,), None, _percent_or_amount),
        "max_drawdown": Key(NUMBER + (str,), None, _percent_or_amount),
        "on_breach": Key((str,), "reducing", _one_of("reducing", "halted")),
    },
    "live": {
        "dir": Key((str,), None, path=True),
        "poll_seconds": Key(NUMBER, 1.0, _between(0.01, 60)),
    },
}
ACCOUNT = {
    "exchange": Key((str,), REQUIRED, _exchange),
    "key_file": Key((str,), None, _key_file, path=True),  # none: market data only (paper sessions)
    "sandbox": Key((bool,), False),
    "exchange_config": Key((str,), None, _exchange_config, path=True),
    "clock": Key((str,), "local", _one_of("local", "exchange")),
}
# Keys that would put a secret in this file: refused with where the secret belongs instead.
INLINE_SECRETS = {"token": "token_file", "apikey": "key_file", "api_key": "key_file", "secret": "key_file",
                  "password": "key_file", "privatekey": "key_file", "private_key": "key_file", "uid": "key_file"}


class ConfigError(ValueError):
    def __init__(self, path, problems):
        self.path, self.problems = path, problems  # [(line or None, message)]
        super().__init__("\n".join(self.lines()))

    def lines(self):
        return [f"{self.path}:{line}: {msg}" if line else f"{self.path}: {msg}" for line, msg in self.problems]


def _key_lines(text):
    """{dotted key path: line number} for `[table]` headers and `key = value` lines."""
    lines, table = {}, ()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        header = re.fullmatch(r"\[\[?\s*([^\]]+?)\s*\]\]?(\s*#.*)?", line)
        if header:
            table = tuple(_split_key(header.group(1)))
            lines.setdefault(table, number)
            continue
        key = re.match(r"((?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*'))*)\s*=", line)
        if key:
            lines.setdefault(table + tuple(_split_key(key.group(1))), number)
    return lines


def _split_key(dotted):
    return [part.strip().strip("\"'") for part in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", dotted)]


def _type_name(types):
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "a string", list: "a list"}
    if types == NUMBER:
        return "a number"
    return " or ".join(dict.fromkeys(names[t] for t in types))


def _toml(value):
    import json

    return json.dumps(value) if isinstance(value, (str, bool)) else str(value)


def _check_table(values, schema, where, base, problems, line_of):
    out = {}
    for name, value in values.items():
        place = where + (name,)
        line = line_of(place)
        label = f"[{'.'.join(where)}] {name}"
        if name.lower() in INLINE_SECRETS:
            problems.append((line, f"{label}: secrets never go in the config file: put it in a file "
                                   f"readable only by the server's user and name that file with {INLINE_SECRETS[name.lower()]}"))
            continue
        key = schema.get(name)
        if key is None:
            from difflib import get_close_matches

            near = get_close_matches(name, schema, n=1)
            problems.append((line, f"{label}: unknown key" + (f' (did you mean "{near[0]}"?)' if near else
                                                               f" (known: {', '.join(schema)})")))
            continue
        ok_type = isinstance(value, key.types) and not (isinstance(value, bool) and bool not in key.types)
        if not ok_type:
            problems.append((line, f"{label}: must be {_type_name(key.types)}, not {_toml(value)}"))
            continue
        if key.path:
            value = (base / Path(value).expanduser()).resolve()
        problem = key.check(value, base) if key.check else None
        if problem:
            problems.append((line, f"{label}: {problem}"))
            continue
        out[name] = value
    for name, key in schema.items():
        if name in values:
            continue
        if key.default is REQUIRED:
            problems.append((line_of(where), f"[{'.'.join(where)}] {name}: required"))
        else:
            out[name] = key.default
    return out


def parse(text, path=Path("config.toml")):
    """The settings from TOML text (every section and default present), or ConfigError."""
    path = Path(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        where = re.search(r"\(at line (\d+), column \d+\)", str(e))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise ConfigError(path, [(int(where.group(1)) if where else None, f"not valid TOML: {message}")]) from None
    key_lines = _key_lines(text)

    def line_of(place):
        while place and place not in key_lines:
            place = place[:-1]
        return key_lines.get(place)

    base = path.resolve().parent
    problems, config = [], {}
    for section, values in raw.items():
        if section == "accounts":
            continue
        if section not in SCHEMA:
            problems.append((line_of((section,)), f"[{section}]: unknown section (known: "
                             f"{', '.join([*SCHEMA, 'accounts'])})"))
        elif not isinstance(values, dict):
            problems.append((line_of((section,)), f"{section}: must be a table ([{section}])"))
    for section, schema in SCHEMA.items():
        values = raw.get(section, {})
        config[section] = _check_table(values if isinstance(values, dict) else {}, schema, (section,), base,
                                       problems, line_of)
    config["accounts"] = {}
    accounts = raw.get("accounts", {})
    if not isinstance(accounts, dict):
        problems.append((line_of(("accounts",)), "accounts: must be tables, one per account ([accounts.NAME])"))
        accounts = {}
    for name, values in accounts.items():
        if not isinstance(values, dict):
            problems.append((line_of(("accounts", name)), f"accounts.{name}: must be a table ([accounts.{name}])"))
            continue
        config["accounts"][name] = _check_table(values, ACCOUNT, ("accounts", name), base, problems, line_of)
    if problems:
        raise ConfigError(path, sorted(problems, key=lambda p: p[0] or 0))
    return config


def load(path=None):
    """The settings of `path` (else $CRACKTRADER_CONFIG; with neither, the defaults)."""
    path = path or os.environ.get("CRACKTRADER_CONFIG")
    if not path:
        return parse("")
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise ConfigError(path, [(None, f"cannot read it: {e.strerror}")]) from None
    return parse(text, path)


def read_secret(path):
    """The token or key in a secret file (checked like the config file checks it)."""
    problem = secret_file_problem(Path(path))
    if problem:
        raise ConfigError(path, [(None, problem)])
    return Path(path).read_text().strip()
