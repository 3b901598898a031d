"""`cracktrader backtest`: the stats table, the JSON (byte-identical to the Python API), and
one-line errors naming the strategy file and line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cracktrader as ct
from cracktrader import examples, synthetic
from support.strategies import SmaCross

CLI = str(Path(sys.executable).with_name("cracktrader"))

STRATEGY = examples.source("sma_cross")  # the shipped example: class SmaCross


def cli(*args, cwd):
    return subprocess.run([CLI, "backtest", *args], capture_output=True, text=True, cwd=cwd, timeout=60,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


def write_csv(path, candles):
    rows = ["timestamp,open,high,low,close,volume"]
    rows += [f"{t},{o!r},{h!r},{lo!r},{c!r},{v!r}" for t, o, h, lo, c, v in
             zip(candles.time, candles.open, candles.high, candles.low, candles.close, candles.volume)]
    path.write_text("\n".join(rows) + "\n")


@pytest.fixture
def work(tmp_path):
    (tmp_path / "strategy.py").write_text(STRATEGY)
    write_csv(tmp_path / "btc.csv", synthetic.ohlcv(2000, seed=9, step=0.004))
    return tmp_path


def test_prints_stats_and_writes_the_same_json_as_the_api(work):
    r = cli("strategy.py", "--data", "btc.csv", "--cash", "5000", "--commission", "0.001", "--slippage", "2",
            "--param", "fast=5", "--param", "slow=20", "--json", "out.json", cwd=work)
    assert r.returncode == 0, r.stderr
    assert "total return" in r.stdout and "sharpe" in r.stdout and "525,600 bars/year" in r.stdout
    data = ct.load_data(work / "btc.csv")
    api = ct.backtest(SmaCross, data, cash=5000, commission=0.001, slippage=2, params=dict(fast=5, slow=20))
    assert (work / "out.json").read_text() == api.to_json()
    assert json.loads(api.to_json())["stats"]["trades"] > 10
    assert r.stderr == ""  # no progress bar off a terminal


def test_class_can_be_named_and_json_go_to_stdout(work):
    r = cli("strategy.py:SmaCross", "--data", "btc.csv", "--json", "-", cwd=work)
    assert r.returncode == 0 and list(json.loads(r.stdout)) == [
        "final_value", "engine", "stats", "trades", "open_trades", "summary", "log", "equity"]


def test_a_strategy_error_names_its_file_and_line(work):
    (work / "bad.py").write_text(STRATEGY.replace("self.buy()", "self.buy(size=1 / 0)"))
    r = cli("bad.py", "--data", "btc.csv", cwd=work)
    line = STRATEGY.splitlines().index("            self.buy()") + 1
    with pytest.raises(ct.StrategyError) as e:  # the same run through the API: where it failed
        ct.backtest(ct.strategy_from_source((work / "bad.py").read_text(), "bad.py"), ct.load_data(work / "btc.csv"))
    assert r.returncode == 1 and e.value.bar > 30
    assert r.stderr.splitlines() == [f"bad.py, line {line}: ZeroDivisionError: division by zero (on {e.value.where()})"]
    assert e.value.where().startswith(f"bar {e.value.bar}, 20") and e.value.where().endswith(" UTC")


def test_what_the_strategy_prints_is_shown_with_the_bar_time(work):
    (work / "talk.py").write_text(STRATEGY.replace("self.buy()", "self.buy()\n            print('bought', len(self.data))")
                                  .replace("def init(self):", "def init(self):\n        print('ready')"))
    r = cli("talk.py", "--data", "btc.csv", "--json", "-", cwd=work)
    log = json.loads(r.stdout)["log"]
    assert r.returncode == 0 and log[0] == {"time": None, "bar": None, "text": "ready"} and len(log) > 3
    first = log[1]
    assert first["text"] == f"bought {first['bar']}"  # the bar number counts the run's bars from 1
    data = ct.load_data(work / "btc.csv")
    assert first["time"] == data.time[first["bar"] - 1]
    lines = r.stderr.splitlines()
    assert lines[0] == "[init] ready" and len(lines) == len(log)
    from time import gmtime, strftime
    assert lines[1] == f"[{strftime('%Y-%m-%d %H:%M', gmtime(first['time'] // 1000))}] bought {first['bar']}"


def test_errors_at_import_and_in_init_name_the_line_too(work):
    (work / "syntax.py").write_text("import cracktrader as ct\nclass S(ct.Strategy)\n    pass\n")
    r = cli("syntax.py", "--data", "btc.csv", cwd=work)
    assert r.returncode == 1 and r.stderr.startswith("syntax.py, line 2: SyntaxError")
    source = STRATEGY.replace("self.p.slow)", "self.p.slow)\n        self.p.nope")
    (work / "init.py").write_text(source)
    line = source.splitlines().index("        self.p.nope") + 1
    r = cli("init.py", "--data", "btc.csv", cwd=work)
    assert r.returncode == 1 and r.stderr.splitlines() == [
        f"init.py, line {line}: AttributeError: 'Params' object has no attribute 'nope'"]


@pytest.mark.parametrize("args, message", [
    (["missing.py", "--data", "btc.csv"], "missing.py: no such strategy file"),
    (["strategy.py:Nope", "--data", "btc.csv"], "has no Strategy class 'Nope'"),
    (["strategy.py", "--data", "btc.csv", "--param", "speed=3"], "SmaCross has no parameter 'speed'"),
    (["strategy.py", "--data", "btc.csv", "--param", "fast=x"], "parameter fast: cannot read 'x' as int"),
    (["strategy.py", "--data", "btc.csv", "--slippage", "lots"], "slippage 'lots'"),
    (["strategy.py", "--data", "bad.csv"], "bad.csv, row 3, close"),
    (["strategy.py", "--data", "short.csv"], "needs 30 bars, has 5"),
])
def test_bad_input_is_one_line(work, args, message):
    (work / "bad.csv").write_text("time,open,high,low,close,volume\n1,1,1,1,1,1\n2,1,1,1,oops,1\n")
    write_csv(work / "short.csv", synthetic.ohlcv(5))
    r = cli(*args, cwd=work)
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cracktrader backtest: ") and message in lines[0], r.stderr


SIGNALS = '''import cracktrader as ct


class Cross(ct.vectorized.SignalStrategy):
    params = dict(fast=10, slow=30)

    def signals(self):
        fast, slow = ct.ind.SMA(self.data.close, self.p.fast), ct.ind.SMA(self.data.close, self.p.slow)
        return ct.vectorized.Signals(fast > slow, fast < slow, stop_loss=0.02)
'''


def test_a_signal_strategy_runs_on_the_kernel_and_the_output_says_which_engine_ran(work):
    (work / "signals.py").write_text(SIGNALS)
    args = ("signals.py", "--data", "btc.csv", "--commission", "0.001", "--param", "fast=5")
    fast, slow = cli(*args, "--json", "-", cwd=work), cli(*args, "--engine", "event", "--json", "-", cwd=work)
    assert fast.returncode == slow.returncode == 0, fast.stderr + slow.stderr
    fast_doc, slow_doc = json.loads(fast.stdout), json.loads(slow.stdout)
    assert (fast_doc.pop("engine"), slow_doc.pop("engine")) == ("vectorized", "event")
    assert fast_doc == slow_doc and len(fast_doc["trades"]) > 5
    table = cli(*args, cwd=work).stdout.splitlines()
    assert table[-1].split() == ["engine", "vectorized"]
    partial = cli(*args, "--volume-limit", "0.5", cwd=work)
    assert partial.stdout.splitlines()[-1].split(None, 1) == ["engine", "event (volume_limit: partial fills run in the event engine)"]
    assert cli("strategy.py", "--data", "btc.csv", cwd=work).stdout.splitlines()[-1].split() == ["engine", "event"]
    refused = cli("strategy.py", "--data", "btc.csv", "--engine", "vectorized", cwd=work)
    assert refused.returncode == 2 and refused.stderr.strip() == (
        "cracktrader backtest: engine='vectorized': SmaCross does not declare its trades as signals (a "
        "ct.vectorized.SignalStrategy)")


def test_help_shows_the_options():
    r = subprocess.run([CLI, "backtest", "--help"], capture_output=True, text=True, timeout=30)
    for option in ("--data", "--cash", "--commission", "--slippage", "--param", "--engine", "--json"):
        assert option in r.stdout


class Terminal:
    def __init__(self, tty):
        self.tty, self.text = tty, ""

    def isatty(self):
        return self.tty

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_bar_draws_on_a_terminal_for_long_runs_only():
    from cracktrader.host.commands.backtest import Progress

    screen = Terminal(True)
    bar = Progress(screen)
    bar(500_000, 1_000_000)
    assert "[###############...............]  50% 500,000/1,000,000 bars" in screen.text
    bar.clear()
    assert screen.text.endswith("\r")
    for stream, total in ((Terminal(False), 1_000_000), (Terminal(True), 50_000)):
        Progress(stream)(total, total)
        assert stream.text == ""


def test_engine_reports_progress_by_chunks():
    seen = []
    ct.backtest(SmaCross, synthetic.ohlcv(150_000, step=0.004), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(65_536, 150_000), (131_072, 150_000), (150_000, 150_000)]


def test_several_data_files_are_several_feeds(work):
    (work / "two.py").write_text(
        "import cracktrader as ct\n\n"
        "class Two(ct.Strategy):\n"
        "    def next(self):\n"
        "        if not self.getposition(self.data1) and len(self.data1) == 5:\n"
        "            self.buy(data=self.data1, size=1)\n"
    )
    write_csv(work / "eth.csv", synthetic.ohlcv(2000, seed=10, step=0.004, symbol="ETH/USDT"))
    r = cli("two.py", "--data", "btc.csv", "--data", "eth.csv", "--json", "-", cwd=work)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["stats"]["open_trades"] == 1 and len(doc["equity"]) == 2000


def test_parquet_data_gives_the_same_result_as_csv(work):
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = ct.load_data(work / "btc.csv")
    table = pa.table({"timestamp": pa.array(list(data.time), pa.int64()),
                      **{name: pa.array(list(getattr(data, name)), pa.float64())
                         for name in ("open", "high", "low", "close", "volume")}})
    pq.write_table(table, work / "btc.parquet")
    r = cli("strategy.py", "--data", "btc.parquet", "--commission", "0.001", "--json", "-", cwd=work)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ct.backtest(SmaCross, data, commission=0.001).to_json()
