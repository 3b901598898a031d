"""User code sent to the server (backtests; sweeps next) runs here, under limits, so that no
run can take the machine, or a live session on it, down with it.

Each run is a child process of its own session: whatever it forks belongs to the run and is
killed with it. Limits ([runs] in the config file):
- memory_mb: the run's processes together (their proportional set size, sampled every
  50 ms); each process's address space is also capped at memory_mb + 1024 MB, so one huge
  allocation fails at once;
- cpu_seconds: CPU time of the run's processes together (and of each one, by RLIMIT_CPU);
- timeout_seconds: wall-clock time;
- max_processes: processes the run may have at once.
A run over a limit is killed and answered with the limit's name. At most max_concurrent runs
at once; max_queued more wait their turn; beyond that they are refused (429 + Retry-After).
Run processes volunteer first for the kernel's OOM killer (host/oom.py): under memory
pressure a run dies before the server or a live session does.
"""

import asyncio
import logging
import math
import multiprocessing
import os
import resource
import signal
import time
from collections import deque
from dataclasses import asdict, dataclass

from . import oom

log = logging.getLogger("cracktrader.host")
TICK = 0.05
PAGE = os.sysconf("SC_PAGE_SIZE")
CLOCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 2048
    cpu_seconds: float = 600
    timeout_seconds: float = 600
    max_processes: int = 8
    max_concurrent: int = 2
    max_queued: int = 8


class Refused(Exception):
    """A run that was not done, as an HTTP answer: status, JSON body, headers."""

    def __init__(self, status, message, kind, headers=None, **info):
        super().__init__(message)
        self.status, self.headers = status, headers or {}
        self.body = {"error": message, "kind": kind, **info}


def _limit(limits, name, what):
    value = getattr(limits, name)
    return Refused(422, f"the run {what} {value:g} {UNITS[name]} ([runs] {name}) and was stopped",
                   "limit", limit=name, value=value)


UNITS = {"memory_mb": "MB of memory", "cpu_seconds": "s of CPU time", "max_processes": "processes"}
OVER = {"memory_mb": "went over its limit of", "cpu_seconds": "used up its", "max_processes": "started more than"}


def group_usage(sid):
    """(processes, proportional memory in bytes, CPU seconds) of every process in session `sid`,
    counting the CPU time of its finished children too."""
    count = memory = ticks = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            if int(fields[3]) != sid:
                continue
            count += 1
            ticks += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
            memory += _pss(name) or int(fields[21]) * PAGE
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
    return count, memory, ticks / CLOCK


def _pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _child(conn, limits, target, args):
    """In the run's process: its own session, limits, first in line for the OOM killer."""
    os.setsid()
    oom.set_score(oom.RUN)
    cap = (limits.memory_mb + 1024) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = math.ceil(limits.cpu_seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # pyarrow's default allocator reserves a gigabyte of address space up front.
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    try:
        reply = target(*args)
    except MemoryError:
        reply = ("limit", "memory_mb")
    conn.send(reply)
    conn.close()


class _Job:
    def __init__(self, proc):
        self.proc, self.stop_reason = proc, None


class CodeRuns:
    """The pool of code runs: a service of the server (see services.py)."""

    def __init__(self, limits=Limits()):
        self.limits = limits
        self._slots = None
        self._waiting = 0
        self._jobs = set()
        self._seconds = deque([1.0], maxlen=20)
        self.stopping = False

    def health(self):
        return {"state": "stopping" if self.stopping else "running", "running": len(self._jobs),
                "queued": self._waiting, "limits": asdict(self.limits)}

    def begin_stop(self):
        self.stopping = True
        for job in self._jobs:
            job.stop_reason = "stopping"

    async def stop(self):
        self.begin_stop()
        while self._jobs:
            await asyncio.sleep(TICK)

    async def run(self, target, *args):
        """target(*args) in a limited child process; its return value, or raises Refused."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limits.max_concurrent)
        if self.stopping:
            raise Refused(503, "the server is stopping", "stopping")
        if self._slots.locked() and self._waiting >= self.limits.max_queued:
            waves = (self._waiting + 1) / self.limits.max_concurrent
            retry = max(1, math.ceil(sum(self._seconds) / len(self._seconds) * waves))
            raise Refused(429, f"{self.limits.max_concurrent} runs are running and {self._waiting} waiting "
                          f"([runs] max_concurrent, max_queued): try again in {retry} s", "busy",
                          headers={"Retry-After": str(retry)}, retry_after=retry)
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            if self.stopping:
                raise Refused(503, "the server is stopping", "stopping")
            t0 = time.monotonic()
            reply = await self._run_one(target, args)
            self._seconds.append(time.monotonic() - t0)
            return reply
        finally:
            self._slots.release()

    async def _run_one(self, target, args):
        limits = self.limits
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe(duplex=False)
        proc = context.Process(target=_child, args=(child, limits, target, args), daemon=True)
        proc.start()
        child.close()
        job = _Job(proc)
        self._jobs.add(job)
        deadline = time.monotonic() + limits.timeout_seconds
        reply = None
        try:
            while not parent.poll():
                if not proc.is_alive():
                    break
                count, memory, cpu = group_usage(proc.pid)
                if memory > limits.memory_mb * 1024 * 1024:
                    job.stop_reason = "memory_mb"
                elif cpu > limits.cpu_seconds:
                    job.stop_reason = "cpu_seconds"
                elif count > limits.max_processes:
                    job.stop_reason = "max_processes"
                elif time.monotonic() > deadline:
                    job.stop_reason = "timeout_seconds"
                if job.stop_reason:
                    break
                await asyncio.sleep(TICK)
            if job.stop_reason is None and parent.poll():
                try:
                    reply = await asyncio.to_thread(parent.recv)
                except EOFError:
                    pass
        finally:
            _kill_group(proc.pid)
            await asyncio.to_thread(proc.join)
            parent.close()
            self._jobs.discard(job)
        reason = job.stop_reason or (reply[1] if reply and reply[0] == "limit" else None)
        if reason is None and proc.exitcode == -signal.SIGXCPU:
            reason = "cpu_seconds"
        if reason:
            log.warning("run stopped", extra={"fields": {"reason": reason, "pid": proc.pid}})
        if reason == "stopping":
            raise Refused(503, "the server is stopping: the run was stopped", "stopping")
        if reason == "timeout_seconds":
            raise Refused(408, f"the run did not finish within {limits.timeout_seconds:g} s "
                          "([runs] timeout_seconds) and was stopped", "timeout", limit=reason,
                          value=limits.timeout_seconds)
        if reason:
            raise _limit(limits, reason, OVER[reason])
        if reply is None:
            how = (f"was killed by signal {-proc.exitcode} (the kernel's OOM killer sends 9)"
                   if proc.exitcode and proc.exitcode < 0 else f"ended with status {proc.exitcode}")
            raise Refused(500, f"the run's process {how} without a result", "internal")
        return reply


def _kill_group(pid):
    """The run's process and everything it started (its session's process group). The process
    itself by its pid too: until its first line ran setsid() there is no group of that id."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
