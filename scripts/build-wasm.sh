#!/usr/bin/env bash
# Build the kernels crate to WebAssembly with wasm-pack into build/kernels.
# Uses the toolchain route chosen by setup-system.sh: rustup's wasm32 target, or Debian's
# rustc-web with std rebuilt from source (-Zbuild-std) and wasm-ld-19 as the linker.
set -euo pipefail
cd "$(dirname "$0")/.."
route=$(cat build/wasm-toolchain 2>/dev/null || echo rustup)
out="$PWD/build/kernels"
export CARGO_TARGET_DIR="$PWD/build/cargo-wasm-$route"
# WebAssembly SIMD (Node 16.4+, every current browser): branch-free selects in the kernels.
# Lane operations are IEEE-exact and no fused multiply-add is enabled, so results do not change.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"
args=(build wasm --target web --release --no-pack --out-dir "$out" --out-name cracktrader_kernels)
if [ "$route" = debian ]; then
  # /usr/bin first: Debian's cargo/rustc 1.96 ship the std sources that build-std needs.
  export PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19
  wasm-pack --quiet "${args[@]}" --mode force -- --features wasm -Zbuild-std=std,panic_abort
else
  wasm-pack --quiet "${args[@]}" -- --features wasm
fi
rm -f "$out/.gitignore"
touch "$out/cracktrader_kernels_bg.wasm"
