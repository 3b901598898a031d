"""Real processes against the real cache: two writers at once lose nothing, a reader never
sees a half-written state, and a writer killed mid-write leaves the previous data intact."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cracktrader.data import Cache, verify
from support.cache_writer import START, bars

WRITER = str(Path(__file__).parent / "support" / "cache_writer.py")
ID = "binance.BTC-USDT.1m"


def writer(root, first, count, chunk, level):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, WRITER, str(root), str(first), str(count), str(chunk), str(level)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_two_writers_and_a_reader_at_once(tmp_path):
    cache = Cache(tmp_path)
    a = writer(tmp_path, 0, 6000, 300, 100)  # 20 writes each, into the same partition
    b = writer(tmp_path, 6000, 6000, 300, 500)
    seen = 0
    while a.poll() is None or b.poll() is None:
        if cache.manifest(ID) is not None:
            c = cache.read(ID)  # no lock: must always be a committed, valid state
            t = c.time
            assert all(x < y for x, y in zip(t, t[1:]))
            assert all(abs(cl - (100 if i < 6000 else 500) - i / 1000) < 1e-9 for i, cl in ((int((x - START) // 60_000), cl) for x, cl in zip(t, c.close)))
            seen += 1
        time.sleep(0.01)
    for p in (a, b):
        out, err = p.communicate()
        assert p.returncode == 0 and out.strip() == "done", err
    got = cache.read(ID)
    assert len(got) == 12_000 and list(got.close[:2]) == [100.0, 100.001] and got.close[-1] == 500 + 11_999 / 1000
    assert cache.manifest(ID).covered == [(START, START + 12_000 * 60_000)] and cache.manifest(ID).gaps == []
    assert verify(cache) == []
    assert seen > 0


@pytest.mark.parametrize("moment", ["writing a partition", "later"])
def test_a_killed_writer_leaves_the_previous_data(tmp_path, moment):
    cache = Cache(tmp_path)
    before = bars(0, 700_000, 100)  # across two yearly partitions
    cache.write(before)
    old = cache.manifest(ID).to_json()
    proc = writer(tmp_path, 0, 700_000, 700_000, 900)  # one big write replacing everything
    d = cache.path(ID)
    deadline = time.monotonic() + 60
    if moment == "writing a partition":
        while not any(p.name.endswith(".tmp") for p in d.iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline, "the writer finished before it could be killed"
    else:  # somewhere between the first new file and the commit
        while not any(p.suffix == ".parquet" and p.name not in old for p in d.iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    after = cache.manifest(ID).to_json()
    got = cache.read(ID)
    if after == old:
        assert got.close.tolist() == before.close.tolist()
    else:  # it got to commit: all new, nothing mixed
        assert got.close.tolist() == [900 + i / 1000 for i in range(700_000)]
    problems = verify(cache)
    assert all("stray file" in p.problem for p in problems)
    cache.write(bars(0, 10, 300))  # the next write cleans up what the killed one left
    assert verify(cache) == []
    assert cache.read(ID).close[:10].tolist() == [300 + i / 1000 for i in range(10)]
