"""`cracktrader optimize` and `cracktrader walkforward` as a user runs them: files written,
one-line errors, Ctrl+C (a real SIGINT) keeps the finished trials and the same command resumes."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from support.optimize import SMA_SOURCE, candles

CLI = [sys.executable, "-m", "cracktrader.host.cli"]


def write_csv(path, c):
    rows = zip(*c.columns().values())
    path.write_text("time,open,high,low,close,volume\n" + "".join(",".join(map(repr, r)) + "\n" for r in rows))
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    (folder / "sma.py").write_text(SMA_SOURCE)
    write_csv(folder / "small.csv", candles(2000))
    write_csv(folder / "big.csv", candles(20_000))
    # Each trial at least 0.3 s, however fast the engine gets: Ctrl+C lands with trials left to run
    (folder / "slow_sma.py").write_text(SMA_SOURCE + "\n\nimport time\n\n\nclass SlowSmaCross(SmaCross):\n"
                                        "    def stop(self):\n        time.sleep(0.3)\n")
    return folder


def cli(folder, *args):
    return subprocess.run([*CLI, *args], cwd=folder, capture_output=True, text=True, timeout=600)


def test_optimize_writes_the_report(files, tmp_path):
    out = tmp_path / "out"
    run = cli(files, "optimize", "sma.py", "--data", "small.csv", "--space", "fast=5:25:5", "--space", "slow=20,40",
              "--constraint", "fast < slow", "--jobs", "2", "--out", str(out), "--commission", "0.001")
    assert run.returncode == 0, run.stderr
    assert "8 trials (8 ok)" in run.stdout and "best: trial" in run.stdout and "PBO" in run.stdout
    doc = json.loads((out / "results.json").read_text())
    assert [t["params"] for t in doc["trials"]] == [dict(fast=f, slow=s) for f in (5, 10, 15, 20, 25) for s in (20, 40)
                                                    if f < s]
    assert {p.name for p in out.iterdir()} >= {"report.html", "heatmap.png", "equity.png", "trials.csv", "trials.jsonl"}


def test_walkforward_prints_the_folds(files, tmp_path):
    run = cli(files, "walkforward", "sma.py", "--data", "small.csv", "--space", "fast=5,10", "--space", "slow=30",
              "--train", "30d", "--test", "15d", "--jobs", "1", "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert "fold   1  fast=" in run.stdout and "walk-forward efficiency" in run.stdout
    assert (tmp_path / "folds.png").exists() and (tmp_path / "folds.csv").exists()


@pytest.mark.parametrize("args,message", [
    ([], "empty search space"),
    (["--space", "fsat=1:3"], "the strategy has no parameter 'fsat'"),
    (["--space", "fast=5:x"], "cannot read 'x' as a number"),
    (["--space", "fast=5:10", "--param", "fast=3"], "both searched"),
    (["--space", "fast=50:10"], "hi 10 is below lo 50"),
    (["--space", "fast=5:10", "--constraint", "fast < slwo"], "slwo is not a parameter (parameters: fast, slow)"),
    (["--space", "fast=5:10", "--constraint", "fast > 100"], "constraint rejects all 6 points"),
    (["--space", "fast=5:10", "--method", "tpe", "--dask", "tcp://127.0.0.1:9", "--dask-timeout", "2"],
     "--dask tcp://127.0.0.1:9: cannot reach the scheduler"),
])
def test_bad_input_is_one_line(files, args, message):
    run = cli(files, "optimize", "sma.py", "--data", "small.csv", *args)
    assert run.returncode == 2 and message in run.stderr, run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_ctrl_c_keeps_the_finished_trials_and_the_same_command_resumes(files, tmp_path):
    out = tmp_path / "out"
    args = ["optimize", "slow_sma.py:SlowSmaCross", "--data", "big.csv", "--space", "fast=4:20:2", "--space", "slow=30,60",
            "--jobs", "2", "--out", str(out)]
    # SIGINT handled as in a terminal, even when the test runs as a background job (bash makes
    # those ignore it, and the child would inherit that: the search would just finish)
    proc = subprocess.Popen([*CLI, *args], cwd=files, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    journal = out / "trials.jsonl"
    deadline = time.monotonic() + 300
    while not (journal.exists() and len(journal.read_text().splitlines()) >= 3):  # the header and two trials
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    kept = len(journal.read_text().splitlines()) - 1
    assert 2 <= kept < 18 and "interrupted" in stderr
    assert json.loads((out / "results.json").read_text())["interrupted"] is True
    rerun = cli(files, *args)
    assert rerun.returncode == 0, rerun.stderr
    doc = json.loads((out / "results.json").read_text())
    assert len(doc["trials"]) == 18 and not doc["interrupted"]
    lines = journal.read_text().splitlines()[1:]
    assert sorted(json.loads(x)["trial"] for x in lines) == list(range(18))  # nothing ran twice
