"""The shared real market data (candles from freqtrade and backtrader, ccxt's Binance markets):
a folder kept beside the repository, `<repo>/../shared/data`, or wherever the environment
variable CRACKTRADER_SHARED_DATA points. A user's clone does not have it: the cases that need it
skip, saying where they looked, so `pytest -rs` shows what did not run."""

import os
from pathlib import Path

import pytest

ENV = "CRACKTRADER_SHARED_DATA"
REPO = Path(__file__).resolve().parents[2]


def _main_checkout(repo):
    """The main checkout of a git worktree (whose `.git` is a file naming its git dir), or None."""
    dot_git = repo / ".git"
    if not dot_git.is_file():
        return None
    gitdir = Path(dot_git.read_text().partition("gitdir:")[2].strip())
    common = gitdir / "commondir"
    git = (gitdir / common.read_text().strip()).resolve() if common.is_file() else gitdir.parents[1]
    return git.parent


def _locate():
    """(the folder or None, where it was looked for)."""
    given = os.environ.get(ENV)
    if given:
        return (Path(given).resolve() if Path(given).is_dir() else None), f"{given} (from {ENV})"
    # A worktree's data sits beside its main checkout.
    places = [root / ".." / "shared" / "data" for root in (REPO, _main_checkout(REPO)) if root]
    found = next((p.resolve() for p in places if p.is_dir()), None)
    return found, " or ".join(map(str, places)) + f" (set {ENV} to use another)"


SHARED_DATA, _LOOKED_IN = _locate()


def absent(name=None):
    """Why the shared data (or the file `name` in it) cannot be used, or None when it can."""
    if SHARED_DATA is None:
        return f"shared real data absent: no folder {_LOOKED_IN}"
    if name is not None and not (SHARED_DATA / name).is_file():
        return f"shared real data: {name} not in {SHARED_DATA}"
    return None


def shared_file(name):
    """The path of `name` in the shared data; skips the calling test (or fixture) when absent."""
    reason = absent(name)
    if reason:
        pytest.skip(reason)
    return SHARED_DATA / name


def shared_param(name):
    """A parametrize case holding the path of `name`, skipped with the reason when absent."""
    reason = absent(name)
    marks = [pytest.mark.skip(reason=reason)] if reason else []
    return pytest.param(None if reason else SHARED_DATA / name, id=name, marks=marks)
