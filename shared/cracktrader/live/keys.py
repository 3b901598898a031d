"""Exchange keys: from a key file only its owner can read, or from the environment; never from
arguments (other users see a process's arguments), never written anywhere. `Redactor` takes
them out of any text the session logs, journals or shows.

Key file: JSON {"apiKey": ..., "secret": ..., "password": ... (some exchanges)}, mode 0600 or
stricter. Environment: CRACKTRADER_<EXCHANGE>_API_KEY / _SECRET / _PASSWORD (e.g.
CRACKTRADER_BINANCE_API_KEY), else CRACKTRADER_API_KEY / _SECRET / _PASSWORD.
"""

import json
import os
import stat
from pathlib import Path

from .config import LiveError

FIELDS = {"apiKey": "API_KEY", "secret": "SECRET", "password": "PASSWORD"}


def load_keys(exchange_id, key_file=None, environ=None):
    """{"apiKey", "secret"[, "password"]} or LiveError saying what is missing or wrong."""
    environ = os.environ if environ is None else environ
    if key_file:
        return _from_file(Path(key_file))
    prefix = f"CRACKTRADER_{exchange_id.upper()}_"
    keys = {}
    for name, suffix in FIELDS.items():
        value = environ.get(prefix + suffix) or environ.get("CRACKTRADER_" + suffix)
        if value:
            keys[name] = value
    if "apiKey" not in keys or "secret" not in keys:
        raise LiveError(f"no {exchange_id} keys: set {prefix}API_KEY and {prefix}SECRET (or CRACKTRADER_API_KEY and "
                        "CRACKTRADER_SECRET), or give --key-file")
    return keys


def _from_file(path):
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise LiveError(f"{path}: no such key file") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise LiveError(f"{path} can be read by other users (mode {stat.S_IMODE(mode):o}): run chmod 600 {path}")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise LiveError(f"{path}: not a JSON key file ({type(e).__name__})") from None
    if not isinstance(data, dict) or not data.get("apiKey") or not data.get("secret"):
        raise LiveError(f'{path}: expected {{"apiKey": ..., "secret": ...}}')
    return {k: str(data[k]) for k in FIELDS if data.get(k)}


class Redactor:
    """Replaces every secret (and the key) in text with "***"."""

    def __init__(self, keys=None):
        self.values = sorted({v for v in (keys or {}).values() if v and len(v) >= 4}, key=len, reverse=True)

    def __call__(self, text):
        text = str(text)
        for value in self.values:
            text = text.replace(value, "***")
        return text
