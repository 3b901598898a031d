#!/usr/bin/env bash
# System-level set-up for CrackTrader: Chromium for browser tests, a Rust toolchain that can
# target wasm32, and the cargo-installed wasm-pack + wasm-bindgen CLI. Idempotent: every step
# checks first, so a second run takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
APT_UPDATED=""
apt_install() {
  if ! command -v apt-get >/dev/null; then
    say "please install: $* (no apt-get here)"; exit 1
  fi
  [ -n "$APT_UPDATED" ] || { $SUDO apt-get update -qq; APT_UPDATED=1; }
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# 1. Chromium (Playwright drives the system browser; it never downloads its own).
if ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# 2. A wasm32 target: rustup's when it has (or can fetch) one, else Debian's rustc-web with
#    std built from source (see scripts/build-wasm.sh). The choice is written for build-wasm.sh.
mkdir -p build
route=""
if [ "${CRACKTRADER_WASM_TOOLCHAIN:-}" != debian ] && command -v rustup >/dev/null; then
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
     || timeout 120 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    route=rustup
  fi
fi
if [ -z "$route" ]; then
  if [ ! -x /usr/bin/wasm-ld-19 ] || [ ! -d /usr/lib/rustlib/src/rust/library ] || ! /usr/bin/cargo --version >/dev/null 2>&1; then
    apt_install rustc-web cargo-web rust-web-src lld-19
  fi
  route=debian
fi
# Rewritten only on change: its date decides whether make rebuilds the WASM kernels.
[ "$(cat build/wasm-toolchain 2>/dev/null)" = "$route" ] || echo "$route" > build/wasm-toolchain

# 3. wasm-pack and the wasm-bindgen CLI. wasm-pack only uses a wasm-bindgen whose version is
#    exactly the crate's (pinned in wasm/Cargo.toml), else it tries to download one.
#    No --locked: the registry mirror here may lack the newest patch releases their lockfiles name.
bindgen_version=$(sed -n 's/^wasm-bindgen = .*version = "=\([0-9.]*\)".*/\1/p' wasm/Cargo.toml)
WASM_PACK_VERSION=0.15.1
if ! command -v cargo >/dev/null; then
  say "cargo not found: install Rust with rustup (https://rustup.rs)"; exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]; then
  say "cargo install wasm-bindgen-cli $bindgen_version (a few minutes, once)"
  cargo install --quiet wasm-bindgen-cli --version "=$bindgen_version"
fi
if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  say "cargo install wasm-pack $WASM_PACK_VERSION (a few minutes, once)"
  cargo install --quiet wasm-pack --version "=$WASM_PACK_VERSION"
fi
