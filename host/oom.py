"""Whom the kernel's OOM killer takes first, among the server's processes, when memory runs out:
code runs (1000), then the server (the score it was given + 100: live sessions outlive it and
its service manager restarts it), live session workers last (-500 where the process may lower
its score, which needs CAP_SYS_RESOURCE; else the score the server was given). Raising a score
needs no privilege, so the order holds for an unprivileged service too."""

from pathlib import Path

RUN = 1000
WORKER = -500
SERVER_ABOVE_WORKERS = 100
GIVEN_ENV = "CRACKTRADER_OOM_SCORE_GIVEN"  # the server's score as given, for its workers
_FILE = Path("/proc/self/oom_score_adj")


def score():
    try:
        return int(_FILE.read_text())
    except (OSError, ValueError):
        return 0


def set_score(value):
    """True if this process now has `value` (lowering may be refused)."""
    try:
        _FILE.write_text(str(value))
    except OSError:
        return False
    return score() == value


_given = None


def server_before_workers():
    """Raises this process (the server) above the workers it will start, once; returns the
    score it was given."""
    global _given
    if _given is None:
        _given = score()
        set_score(min(_given + SERVER_ABOVE_WORKERS, RUN - 1))
    return _given


def worker_last(given):
    """In a live session worker (which inherited the server's raised score)."""
    if not set_score(WORKER):
        set_score(given)
