"""What a wheel build needs besides Python, checked before anything is built, and the web
build's inputs made when they are missing or older than their sources.

`make setup` installs the toolchain on a developer's machine; a wheel built from the sdist
(`pip install cracktrader-X.tar.gz`) finds it already there or stops with the list of what
is missing and how to get it, instead of failing deep in a build:

- Rust (cargo) for the native extension and the WASM kernels,
- a wasm32 target: rustup's, or Debian's rustc-web with std sources and wasm-ld-19,
- wasm-pack, and the wasm-bindgen CLI of exactly the version pinned in wasm/Cargo.toml,
- Node.js with npm, for the front-end packages and their bundle.

usage: python scripts/build_prereqs.py   -> checks, then builds the kernels / npm packages if needed
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNELS_WASM = ROOT / "build" / "kernels" / "cracktrader_kernels_bg.wasm"
NODE_STAMP = ROOT / "node_modules" / ".package-lock.json"
ROUTE_FILE = ROOT / "build" / "wasm-toolchain"
RUST_SOURCES = ("wasm/src", "wasm/Cargo.toml", "wasm/Cargo.lock")
NPM_SOURCES = ("package.json", "package-lock.json")


class Missing(SystemExit):
    pass


def _newest(paths):
    newest = 0.0
    for rel in paths:
        path = ROOT / rel
        files = path.rglob("*") if path.is_dir() else [path]
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def _stale(target, sources):
    return not target.is_file() or target.stat().st_mtime < _newest(sources)


def _output(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def bindgen_version():
    text = (ROOT / "wasm" / "Cargo.toml").read_text()
    return re.search(r'^wasm-bindgen = .*version = "=([0-9.]+)"', text, re.M).group(1)


def wasm_route():
    """'rustup' or 'debian' (see scripts/setup-system.sh), or None when neither can build wasm32."""
    if ROUTE_FILE.is_file():
        return ROUTE_FILE.read_text().strip()
    if "wasm32-unknown-unknown" in _output("rustup", "target", "list", "--installed").split():
        return "rustup"
    if Path("/usr/bin/wasm-ld-19").exists() and Path("/usr/lib/rustlib/src/rust/library").is_dir():
        return "debian"
    return None


def missing():
    """[(what, how to get it)] for the tools this build still needs."""
    needs = []
    if not shutil.which("cargo"):
        needs.append(("Rust (cargo)", "https://rustup.rs, or apt-get install cargo"))
    if _stale(KERNELS_WASM, RUST_SOURCES):
        if wasm_route() is None:
            needs.append(("a wasm32 Rust target", "rustup target add wasm32-unknown-unknown "
                          "(or apt-get install rustc-web cargo-web rust-web-src lld-19)"))
        if not shutil.which("wasm-pack"):
            needs.append(("wasm-pack", "cargo install wasm-pack"))
        want = bindgen_version()
        if _output("wasm-bindgen", "--version") != f"wasm-bindgen {want}":
            needs.append((f"wasm-bindgen {want}", f"cargo install wasm-bindgen-cli --version ={want}"))
    if _stale(NODE_STAMP, NPM_SOURCES):
        for tool in ("node", "npm"):
            if not shutil.which(tool):
                needs.append((f"Node.js ({tool})", "https://nodejs.org (20 or later), or apt-get install nodejs npm"))
    return list(dict.fromkeys(needs))


def prepare():
    """Check the toolchain, then make the npm packages and the WASM kernels if needed."""
    needs = missing()
    if needs:
        lines = "\n".join(f"  - {what}: {how}" for what, how in needs)
        raise Missing(f"cannot build cracktrader's web app, missing:\n{lines}")
    if _stale(NODE_STAMP, NPM_SOURCES):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
        NODE_STAMP.touch()
    if _stale(KERNELS_WASM, RUST_SOURCES):
        ROUTE_FILE.parent.mkdir(parents=True, exist_ok=True)
        if not ROUTE_FILE.is_file():
            ROUTE_FILE.write_text(wasm_route() + "\n")
        subprocess.run([str(ROOT / "scripts" / "build-wasm.sh")], cwd=ROOT, check=True)


if __name__ == "__main__":
    prepare()
