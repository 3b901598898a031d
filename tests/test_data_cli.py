"""`cracktrader data`: every action has --help; results are short lines; every failure is one
line on stderr with exit status 2. Run in-process through the CLI's `main` (test_cli.py and
test_data_fetch.py run the installed command)."""

import contextlib
import io
import json
from types import SimpleNamespace

import pytest

from support import bad_files
from cracktrader.host.cli import main
from support.candles import csv_text, series


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CRACKTRADER_CACHE_DIR", str(tmp_path / "cache"))


def run(tmp_path, *args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["data", *map(str, args)])
        except SystemExit as e:  # argparse: --help, usage errors
            code = e.code
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def one_line_error(r):
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cracktrader data: "), r.stderr
    return lines[0]


@pytest.mark.parametrize("action", ["fetch", "import", "list", "verify", "remove", "export"])
def test_help(tmp_path, action):
    r = run(tmp_path, action, "--help")
    assert r.returncode == 0 and "--cache-dir" in r.stdout


def test_import_list_export_verify_remove(tmp_path):
    c = series(3000, skip={5, 6})
    src = tmp_path / "binance.BTC-USDT.1m.csv"  # the name says exchange, symbol and timeframe
    src.write_text(csv_text(c))
    r = run(tmp_path, "import", src)
    assert r.returncode == 0 and r.stdout == (
        "binance.BTC-USDT.1m: imported 2,998 bars from 2024-01-01 00:00 to 2024-01-03 01:59; 1 gaps (2 bars missing in the file)\n")
    lines = run(tmp_path, "list").stdout.splitlines()
    assert lines[0].split() == ["DATASET", "EXCHANGE", "SYMBOL", "TF", "FIRST", "LAST", "ROWS", "GAPS", "SIZE"]
    assert lines[1].split()[:9] == ["binance.BTC-USDT.1m", "binance", "BTC/USDT", "1m", "2024-01-01", "00:00", "2024-01-03", "01:59", "2,998"]
    listed = json.loads(run(tmp_path, "list", "--json").stdout)
    assert listed[0]["rows"] == 2998 and listed[0]["gaps"] == 1
    out = tmp_path / "hours.parquet"
    r = run(tmp_path, "export", "binance.BTC-USDT.1m", out, "--timeframe", "1h", "--until", "2024-01-02")
    assert r.returncode == 0 and r.stdout == f"{out}: 24 bars\n"
    r = run(tmp_path, "import", out)  # the metadata says what it is
    assert r.returncode == 0 and r.stdout.startswith("binance.BTC-USDT.1h: imported 24 bars")
    assert run(tmp_path, "verify").stdout == "2 dataset(s) checked, all good\n"
    assert run(tmp_path, "remove", "binance.BTC-USDT.1h").stdout == "binance.BTC-USDT.1h: removed\n"
    assert [d["id"] for d in json.loads(run(tmp_path, "list", "--json").stdout)] == ["binance.BTC-USDT.1m"]


def test_verify_reports_and_fixes(tmp_path):
    src = tmp_path / "binance.BTC-USDT.1m.csv"
    src.write_text(csv_text(series(100)))
    run(tmp_path, "import", src)
    part = next((tmp_path / "cache" / "candles" / "binance" / "BTC-USDT" / "1m").glob("*.parquet"))
    data = bytearray(part.read_bytes())
    data[len(data) // 3] ^= 0xFF
    part.write_bytes(bytes(data))
    r = run(tmp_path, "verify")
    assert "checksum mismatch" in r.stdout and "--fix" in r.stdout
    assert one_line_error(r).endswith("1 problem(s) in 1 dataset(s); `cracktrader data verify --fix` repairs them")
    r = run(tmp_path, "verify", "--fix")
    assert r.returncode == 0 and "dropped" in r.stdout and "1 problem(s) fixed" in r.stdout
    assert run(tmp_path, "verify").returncode == 0


def test_one_line_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(bad_files.CASES["high_below_open_close"][0])
    msg = one_line_error(run(tmp_path, "import", bad, "--exchange", "binance", "--symbol", "BTC/USDT"))
    assert msg == (f"cracktrader data: {bad}, row 3, high: high 11.5 is below max(open 11, close 12) "
                   "[high_below_open_close]; nothing was imported")
    assert "cannot tell the exchange" in one_line_error(run(tmp_path, "import", bad))
    assert "no such file" in one_line_error(run(tmp_path, "import", tmp_path / "nope.csv", "--exchange", "x", "--symbol", "A/B"))
    assert "unsupported file type" in one_line_error(run(tmp_path, "import", tmp_path / "x.json", "--exchange", "x", "--symbol", "A/B"))
    assert "bad dataset id" in one_line_error(run(tmp_path, "remove", "../../etc"))
    assert "not in the cache" in one_line_error(run(tmp_path, "remove", "binance.BTC-USDT.1m"))
    assert "not_cached" in one_line_error(run(tmp_path, "export", "binance.BTC-USDT.1m", tmp_path / "o.csv"))
    assert "cannot tell the format" in one_line_error(run(tmp_path, "export", "binance.BTC-USDT.1m", tmp_path / "o.xls"))
    assert "cannot read time" in one_line_error(run(tmp_path, "fetch", "binance", "BTC/USDT", "1m", "--since", "last week"))
    assert "--ccxt-options" in one_line_error(run(tmp_path, "fetch", "binance", "BTC/USDT", "1m", "--ccxt-options", "{oops"))
    assert run(tmp_path, "list").stdout.startswith("the cache at ")


def test_progress_bar_draws_only_on_a_terminal():
    from cracktrader.host.progress import Progress

    out = io.StringIO()
    bar = Progress("fetch", stream=out, enabled=True, width=10)
    bar.update(3, 4, "300 bars")
    bar.close()
    assert out.getvalue() == "\rfetch [#######...]  75% 300 bars\x1b[K\n"
    quiet = io.StringIO()  # StringIO is not a terminal
    bar = Progress("fetch", stream=quiet)
    bar.update(1, 2)
    bar.close()
    assert quiet.getvalue() == ""
