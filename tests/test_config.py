"""The server's config file: each kind of mistake gets a message naming the key and its line,
through `cracktrader config check` (status 2), and a good file passes (status 0)."""

import subprocess
import sys
from pathlib import Path

import pytest

from cracktrader.host.config import SCHEMA, parse

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("cracktrader")


def check(path):
    r = subprocess.run([str(CLI), "config", "check", str(path)], capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr.strip().splitlines()


def secret(folder, name, text, mode=0o600):
    path = folder / name
    path.write_text(text)
    path.chmod(mode)
    return path


KEYS = '{"apiKey": "k", "secret": "s"}'
MISTAKES = [
    # (what, line, file text after line 1 "[server]", expected message at that line)
    ("syntax", 2, 'port = \n', 'not valid TOML: Invalid value'),
    ("unknown key", 2, 'prot = 8000\n', '[server] prot: unknown key (did you mean "port"?)'),
    ("wrong type", 2, 'port = "8000"\n', '[server] port: must be a whole number, not "8000"'),
    ("bool is not a number", 2, 'port = true\n', '[server] port: must be a whole number, not true'),
    ("out of range", 2, 'port = 70000\n', '[server] port: must be between 1 and 65535'),
    ("not an address", 2, 'host = "my.server"\n', '[server] host: must be an IP address such as 127.0.0.1 '
                                               '(put a reverse proxy in front for names and TLS)'),
    ("not a choice", 3, '[logging]\nformat = "xml"\n', '[logging] format: must be one of "auto", "json", "text"'),
    ("inline token", 2, 'token = "abc"\n', "[server] token: secrets never go in the config file: put it in a file "
                                        "readable only by the server's user and name that file with token_file"),
    ("missing token file", 2, 'token_file = "nope"\n', '[server] token_file: {dir}/nope does not exist'),
    ("token file readable by others", 2, 'token_file = "open-token"\n',
     '[server] token_file: {dir}/open-token can be read by other users (mode 644): chmod 600 it'),
    ("empty token file", 2, 'token_file = "empty-token"\n', '[server] token_file: {dir}/empty-token is empty'),
    ("unknown section", 2, '[extras]\na = 1\n', '[extras]: unknown section (known: server, logging, data, runs, risk, live, accounts)'),
    ("log folder missing", 3, '[logging]\nfile = "no/such/dir/server.log"\n',
     '[logging] file: the folder {dir}/no/such/dir does not exist'),
    ("bad percentage", 3, '[risk]\nmax_daily_loss = "5 percent"\n',
     '[risk] max_daily_loss: must be an amount or a percentage such as "5%"'),
    ("inline exchange key", 5, '[accounts.main]\nexchange = "binance"\nkey_file = "keys.json"\napiKey = "x"\n',
     "[accounts.main] apiKey: secrets never go in the config file: put it in a file readable only by the "
     "server's user and name that file with key_file"),
    ("unknown exchange", 3, '[accounts.main]\nexchange = "binanse"\nkey_file = "keys.json"\n',
     '[accounts.main] exchange: "binanse" is not a ccxt exchange id (e.g. "binance")'),
    ("key file without keys", 4, '[accounts.main]\nexchange = "binance"\nkey_file = "token"\n',
     '[accounts.main] key_file: {dir}/token is not JSON: expected {{"apiKey": ..., "secret": ...}}'),
    ("account without exchange", 2, '[accounts.main]\nsandbox = true\n', '[accounts.main] exchange: required'),
]


@pytest.fixture
def folder(tmp_path):
    secret(tmp_path, "token", "tok\n")
    secret(tmp_path, "open-token", "tok\n", 0o644)
    secret(tmp_path, "empty-token", "\n")
    secret(tmp_path, "keys.json", KEYS)
    return tmp_path


@pytest.mark.parametrize("what, where, text, message", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_named_with_its_line(folder, what, where, text, message):
    path = folder / "config.toml"
    path.write_text("[server]\n" + text)
    status, _, lines = check(path)
    assert status == 2
    assert lines == [f"{path}:{where}: {message.format(dir=folder)}", f"cracktrader config: {path}: 1 problem(s)"]


def test_every_problem_at_once_in_line_order(folder):
    path = folder / "config.toml"
    path.write_text('[runs]\nmemory_mb = "2GB"\n\n[server]\nport = 0\n')
    status, _, lines = check(path)
    assert status == 2 and [line.split(": ")[0] for line in lines[:2]] == [f"{path}:2", f"{path}:5"]


def test_a_good_file_passes(folder):
    path = folder / "config.toml"
    path.write_text(f'''
[server]
port = 8123
token_file = "token"
allowed_hosts = ["trader.example.com"]
[runs]
memory_mb = 1024
cpu_seconds = 120.5
[risk]
max_daily_loss = "3%"
max_drawdown = 500
[accounts.main]
exchange = "binance"
key_file = "{folder / 'keys.json'}"
sandbox = true
''')
    status, out, lines = check(path)
    assert status == 0 and lines == []
    assert out.strip() == f"{path}: ok (serves http://127.0.0.1:8123, accounts: main)"


def test_defaults_and_resolved_paths(tmp_path):
    config = parse('[data]\ncache_dir = "cache"\n', tmp_path / "c.toml")
    assert config["data"]["cache_dir"] == tmp_path / "cache"
    assert config["server"] == {"host": "127.0.0.1", "port": 8000, "token_file": None, "allowed_hosts": [],
                                "web_dir": None, "stop_timeout_seconds": 20}
    assert config["runs"]["memory_mb"] == 2048 and config["accounts"] == {}


def test_the_documented_example_holds_every_key():
    """docs/config.md shows every key the code knows, and its example parses (secrets aside)."""
    import re

    doc = (ROOT / "docs" / "config.md").read_text()
    example = re.search(r"```toml\n(.*?)```", doc, re.S).group(1)
    for section, keys in SCHEMA.items():
        assert f"[{section}]" in example
        for key in keys:
            assert re.search(rf"^{key} = ", example, re.M), f"[{section}] {key} is not documented"
