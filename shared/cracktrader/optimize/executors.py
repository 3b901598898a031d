"""Where trials run, behind one small interface (`start`, `submit`, `wait`, `close`):

- `InProcess`: here, one trial after another (`jobs=1`; the browser's workers too);
- `LocalPool` (the default): a process pool on all cores. The data is written once to a file
  that every worker maps read-only (no copy per worker or per trial), and each worker keeps its
  kernel results for parameter values already seen (memo.py);
- `DaskRunner`: a `distributed.Client` (`--dask ADDRESS`): the job, data included, is sent to
  each worker once (scattered, broadcast) and the trials refer to it;
- `ExecutorRunner`: any other `concurrent.futures.Executor` (the job goes with every task).

Trials are pure functions of the job and their parameters, so every runner gives the same table.
"""

import concurrent.futures as cf
import mmap
import os
import signal
import tempfile
from array import array

from ..candles import COLUMNS, Candles
from .trial import run_chunk

WAIT_S = 0.25  # wake up this often while waiting (Ctrl+C, progress)


def runner_for(executor=None, jobs=None):
    """The runner for `executor` (None: a local pool of `jobs` processes, all cores by default;
    jobs=1 runs in this process), a distributed.Client, or a concurrent.futures.Executor."""
    if executor is None:
        jobs = (os.cpu_count() or 1) if jobs is None else jobs
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise ValueError(f"jobs must be an int >= 1, got {jobs!r}")
        return InProcess() if jobs == 1 else LocalPool(jobs)
    if callable(getattr(executor, "scatter", None)) and callable(getattr(executor, "submit", None)):
        return DaskRunner(executor)
    if isinstance(executor, cf.Executor):
        return ExecutorRunner(executor)
    raise TypeError(f"executor: expected a concurrent.futures.Executor or a distributed.Client, got {executor!r}")


class InProcess:
    workers = 1
    name = "in-process"

    def start(self, job):
        self.job = job

    def submit(self, tasks):
        future = cf.Future()
        future.set_result(run_chunk(self.job, tasks))
        return future

    def wait(self, futures):
        return set(futures)

    def close(self, cancel=False):
        self.job = None


class ExecutorRunner:
    name = "executor"

    def __init__(self, executor):
        self.executor = executor
        self.workers = getattr(executor, "_max_workers", None) or os.cpu_count() or 1

    def start(self, job):
        self.job = job

    def submit(self, tasks):
        return self.executor.submit(run_chunk, self.job, tasks)

    def wait(self, futures):
        return cf.wait(futures, timeout=WAIT_S, return_when=cf.FIRST_COMPLETED).done

    def close(self, cancel=False):
        pass  # the caller's executor: the caller shuts it down


class LocalPool:
    name = "local pool"

    def __init__(self, jobs):
        self.workers = jobs
        self.pool = self.mapped = None

    def start(self, job):
        self.mapped = MappedCandles(job.candles())
        self.job = job.with_data(self.mapped)
        self._spawn()

    def _spawn(self):
        import multiprocessing as mp

        # fork where there is one: a strategy defined in a script needs no import in the workers
        context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        self.pool = cf.ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker,
                                           initargs=(self.job,))

    def submit(self, tasks):
        return self.pool.submit(_run_in_worker, tasks)

    def restart(self):
        """A fresh pool after a worker died (the old one is broken for good)."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._spawn()

    def wait(self, futures):
        return cf.wait(futures, timeout=WAIT_S, return_when=cf.FIRST_COMPLETED).done

    def close(self, cancel=False):
        if self.pool is not None:
            if cancel:  # Ctrl+C: do not wait for the trials running
                processes = list((getattr(self.pool, "_processes", None) or {}).values())
                self.pool.shutdown(wait=False, cancel_futures=True)
                for p in processes:
                    p.terminate()
                for p in processes:
                    p.join(5)
            else:
                self.pool.shutdown(wait=True)
            self.pool = None
        if self.mapped is not None:
            self.mapped.remove()
            self.mapped = None


_WORKER_JOB = None


def _init_worker(job):
    global _WORKER_JOB
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    _WORKER_JOB = job
    job.candles()  # map the data once


def _run_in_worker(tasks):
    return run_chunk(_WORKER_JOB, tasks)


class DaskRunner:
    name = "dask"

    def __init__(self, client):
        self.client = client
        self.workers = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))

    def start(self, job):
        self.job = self.client.scatter(job, broadcast=True, hash=False)

    def submit(self, tasks):
        return self.client.submit(run_chunk, self.job, tasks, pure=False)

    def wait(self, futures):
        from distributed import wait

        try:
            return wait(list(futures), timeout=WAIT_S, return_when="FIRST_COMPLETED").done
        except TimeoutError:  # none finished yet
            return set()

    def close(self, cancel=False):
        self.client.cancel([self.job]) if getattr(self, "job", None) is not None else None
        self.job = None


class MappedCandles:
    """Candles written once to a file every worker maps read-only; `open()` gives Candles whose
    columns are views of the mapping (the pages are shared by all processes)."""

    def __init__(self, candles):
        folder = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        fd, self.path = tempfile.mkstemp(prefix="cracktrader-sweep-", suffix=".bin", dir=folder)
        self.layout, offset = [], 0
        with os.fdopen(fd, "wb") as f:
            for c in candles:
                for name in COLUMNS:
                    f.write(memoryview(_flat(getattr(c, name), "q" if name == "time" else "d")).cast("B"))
                self.layout.append((len(c), c.symbol, c.timeframe, c.exchange, dict(c.meta), offset))
                offset += 8 * len(c) * len(COLUMNS)
        self._opened = None

    def open(self):
        if self._opened is None:
            with open(self.path, "rb") as f:
                view = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)) if os.path.getsize(self.path) else None
            out = []
            for n, symbol, timeframe, exchange, meta, offset in self.layout:
                cols = []
                for k, name in enumerate(COLUMNS):
                    a = offset + 8 * n * k
                    cols.append(view[a:a + 8 * n].cast("q" if name == "time" else "d") if n else array("q" if name == "time" else "d"))
                out.append(Candles(*cols, symbol=symbol, timeframe=timeframe, exchange=exchange, meta=meta))
            self._opened = out
        return self._opened

    def remove(self):
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def __getstate__(self):
        return {"path": self.path, "layout": self.layout, "_opened": None}


def _flat(column, typecode):
    if isinstance(column, array) and column.typecode == typecode:
        return column
    if isinstance(column, memoryview) and column.format == typecode and column.c_contiguous:
        return column
    return array(typecode, column)
