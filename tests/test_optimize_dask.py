"""Sweeps on a real Dask cluster: a scheduler and two workers started as processes on 127.0.0.1
(ports chosen at run time). The table equals the local pool's; a worker killed mid-search does
not stop it."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cracktrader as ct
from support.optimize import SMA_SOURCE, SmaCross, candles, table

distributed = pytest.importorskip("distributed")

BIN = Path(sys.executable).parent
TESTS = Path(__file__).resolve().parent
SPACE = dict(fast=[5, 10, 15], slow=[20, 40])


def _start(args, log):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
           "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    return subprocess.Popen([str(BIN / "dask"), *args], stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask")
    file = folder / "scheduler.json"
    log = open(folder / "log.txt", "w")
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(file)], log)]
    deadline = time.monotonic() + 60
    while not file.exists() or not file.read_text().strip():
        assert time.monotonic() < deadline, (folder / "log.txt").read_text()
        time.sleep(0.2)
    address = json.loads(file.read_text())["address"]
    assert address.startswith("tcp://127.0.0.1:")
    workers = [_start(["worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny", "--no-dashboard",
                       "--name", f"w{k}", "--memory-limit", "0"], log) for k in range(2)]
    procs += workers
    client = distributed.Client(address, timeout=30)
    client.wait_for_workers(2, timeout=60)
    yield {"address": address, "client": client, "workers": workers, "log": folder / "log.txt"}
    client.close()
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
    log.close()


def test_dask_gives_the_local_pools_table(cluster):
    data = candles(2500)
    local = ct.optimize(SmaCross, data, space=SPACE, jobs=2, commission=0.001)
    dask = ct.optimize(SmaCross, data, space=SPACE, executor=cluster["client"], commission=0.001)
    assert dask.executor == "dask" and table(dask) == table(local)
    assert dask.overfitting == local.overfitting
    from_source = ct.optimize(ct.strategy_from_source(SMA_SOURCE), data, space=SPACE, executor=cluster["client"],
                              commission=0.001)
    assert [r["stats"] for r in from_source.trials] == [r["stats"] for r in local.trials]


def test_the_job_is_sent_to_each_worker_once(cluster):
    client = cluster["client"]
    held = []

    def look(done, total, records):
        if done == 3:  # while trials run: one Job (data included) in each worker's memory, shared by its trials
            held.append(client.run(lambda dask_worker: [type(v).__name__ for v in dask_worker.data.values()].count("Job")))

    ct.optimize(SmaCross, candles(2500), space=dict(fast=[5, 10, 15, 20], slow=[20, 40, 60]), executor=client,
                progress=look)
    assert list(held[0].values()) == [1, 1]


def test_a_worker_killed_mid_search_does_not_stop_it(cluster):
    client = cluster["client"]
    data = candles(20_000)
    space = dict(fast=[5, 8, 11, 14, 17, 20], slow=[30, 50])
    victim = cluster["workers"][1]

    def kill_one(done, total, records):
        if done == 2 and victim.poll() is None:
            os.kill(victim.pid, signal.SIGKILL)

    result = ct.optimize(SmaCross, data, space=space, executor=client, progress=kill_one)
    assert victim.poll() is not None and len(result.trials) == 12
    for r in result.trials:  # every trial is there: run again elsewhere, or failed saying why
        assert r["status"] == "ok" or "worker" in r["reason"]
    assert sum(r["status"] == "ok" for r in result.trials) >= 10
