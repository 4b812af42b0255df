#!/usr/bin/env bash
# Native-vs-WASM parity check of the orderbook flow workload (run from the workspace root).
# Builds the wasm harness, generates wasm-bindgen's nodejs bindings, runs the same seeded flow
# natively (`book-bench --flow`) and under node, and fails unless the event checksums match.
# Usage: bash orderbook/../orderbook-wasm/parity.sh [ops=1000000] [seed=42] [out_dir]
set -euo pipefail
OPS="${1:-1000000}"
SEED="${2:-42}"
OUT="${3:-target/orderbook-wasm-pkg}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

nice -n 15 cargo build --release --target wasm32-unknown-unknown -p orderbook-wasm
wasm-bindgen --target nodejs --out-dir "$OUT" \
  target/wasm32-unknown-unknown/release/orderbook_wasm.wasm
nice -n 15 cargo build --release -p orderbook --bin book-bench
NATIVE="$(target/release/book-bench --flow "$OPS" --seed "$SEED")"
echo "$NATIVE"
CHECKSUM="$(printf '%s' "$NATIVE" | sed -n 's/.*"checksum":"\([0-9a-f]\{16\}\)".*/\1/p')"
if [ -z "$CHECKSUM" ]; then
  echo "parity: could not read the native checksum" >&2
  exit 1
fi
node "$HERE/check.mjs" "$OUT" "$OPS" "$SEED" "$CHECKSUM"
