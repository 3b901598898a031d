"""Each `cracktrader` command imports only what it uses (host/commands/__init__.py says how):
`data import` of a CSV file loads pyarrow to write the cache, and not ccxt; `data list` loads
neither. Every command runs in a fresh process, as users run it, and reports the heavy modules
it imported. A new command (or data action) fails `test_every_command_is_listed` until it has
its line in IMPORTS."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cracktrader.data import Cache, export
from cracktrader.live.journal import Journal
from support.candles import csv_text, series

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("ccxt", "pyarrow", "pyarrow.compute", "pyarrow.dataset", "numpy", "pandas", "starlette", "uvicorn",
         "optuna", "distributed", "dask")
ARROW = {"pyarrow", "numpy"}  # pyarrow imports numpy

# The command line -> the heavy modules it imports (run in a folder holding small.csv,
# exported.parquet, a cache with binance.BTC-USDT.1m and a web build in web/).
IMPORTS = {
    "--help": set(),
    "backtest strategy.py --data small.csv": set(),
    "backtest strategy.py --data binance.BTC-USDT.1m": ARROW,
    "data import small.csv --exchange binance --symbol ETH/USDT": ARROW,
    "data import exported.parquet": ARROW,  # exchange, symbol, timeframe from its metadata
    "data list": set(),
    "data verify": ARROW,
    "data export binance.BTC-USDT.1m out.csv": ARROW,
    "data remove binance.BTC-USDT.1m": set(),
    "data fetch nosuchexchange BTC/USDT 1m --since 2024-01-01": {"ccxt"},  # stops at the unknown id
    "serve --host 0.0.0.0": {"starlette", "uvicorn"},  # stops at the refused bind
    "build-static out --web-dir web": set(),
    "optimize strategy.py --data small.csv --space fast=5,10 --jobs 1": set(),  # grid and random: nothing heavy
    "optimize strategy.py --data small.csv --space fast=5:10 --method tpe --trials 3 --jobs 1": {"optuna", "numpy"},
    "walkforward strategy.py --data small.csv --space fast=5,10 --train 2h --test 1h --jobs 1": set(),
    "config check config.toml": set(),  # ccxt only for a file with [accounts] (their exchange ids)
    "live run strategy.py --exchange nosuchexchange --symbol BTC/USDT --timeframe 1m --journal new.journal": {"ccxt"},
    "live status --journal s.journal": set(),
    "live stop --journal s.journal": set(),  # no session runs: nothing to stop
    "live resume --journal missing.journal": set(),  # stops at the missing journal
}
FAILS = ("data fetch", "serve", "live run", "live resume")  # the lines above that stop with status 2

PROBE = f"""
import json, sys
from cracktrader.host.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as e:
    code = e.code
print(json.dumps([code, sorted(m for m in {HEAVY!r} if m in sys.modules)]))
"""


def commands(parser, prefix=()):
    """Every runnable command line prefix the parser knows: ("backtest",), ("data", "list")..."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [prefix]
    return [found for name, sub in subs[0].choices.items() for found in commands(sub, (*prefix, name))]


def test_every_command_is_listed():
    from cracktrader.host.cli import build_parser

    listed = {tuple(line.split()[:2]) for line in IMPORTS} | {tuple(line.split()[:1]) for line in IMPORTS}
    missing = [" ".join(c) for c in commands(build_parser()) if c not in listed]
    assert not missing, f"add the imports of {missing} to IMPORTS"


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "small.csv").write_text(csv_text(series(300)))
    cache = Cache(tmp_path / "cache")
    cache.write(series(300))
    export(cache, "binance.BTC-USDT.1m", tmp_path / "exported.parquet")
    (tmp_path / "strategy.py").write_text((ROOT / "shared/cracktrader/examples/sma_cross.py").read_text())
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "index.html").write_text("<!doctype html>")
    (tmp_path / "config.toml").write_text("[server]\nport = 8001\n")
    Journal.create(tmp_path / "s.journal", {"session_id": "0123abcd"}).close()
    return tmp_path


@pytest.mark.parametrize("line", IMPORTS)
def test_a_command_imports_only_what_it_uses(workdir, line):
    env = {**os.environ, "CRACKTRADER_CACHE_DIR": str(workdir / "cache"), "CRACKTRADER_TOKEN": ""}
    r = subprocess.run([sys.executable, "-c", PROBE, *line.split()], cwd=workdir, env=env, capture_output=True,
                       text=True, timeout=120)
    code, imported = json.loads(r.stdout.strip().splitlines()[-1])
    expected_code = 2 if line.startswith(FAILS) else 0
    assert code == expected_code, r.stderr
    assert set(imported) == IMPORTS[line], f"cracktrader {line}"
