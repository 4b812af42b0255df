// Native-vs-WASM parity check for the orderbook flow workload, run by `cargo xtask parity`.
// Usage: node orderbook-wasm/check.mjs <wasm-bindgen --target nodejs out dir> [ops] [seed] [expected_checksum]
// Prints ONE JSON line: the WASM digest, its timing, and (if an expected checksum is given,
// e.g. from `book-bench --flow <ops>`) whether it matches. Exits 1 on a mismatch.
import { createRequire } from "node:module";
import path from "node:path";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node check.mjs <pkg-dir> [ops=1000000] [seed=42] [expected_checksum]");
  process.exit(2);
}
const ops = Number(process.argv[3] ?? 1000000);
const seed = BigInt(process.argv[4] ?? 42);
const expected = process.argv[5];
const require = createRequire(import.meta.url);
const wasm = require(path.resolve(dir, "orderbook_wasm.js"));

// Warm-up run (JIT tiering of the wasm module), then the timed run.
wasm.flow_checksum(seed, 10000);
const t0 = process.hrtime.bigint();
const digest = JSON.parse(wasm.flow_digest_json(seed, ops));
const elapsedNs = Number(process.hrtime.bigint() - t0);
const out = {
  mode: "flow",
  target: "wasm32",
  ...digest,
  elapsed_ms: +(elapsedNs / 1e6).toFixed(1),
  ops_per_sec: Math.round(ops / (elapsedNs / 1e9)),
};
if (expected !== undefined) {
  out.expected_checksum = expected;
  out.matches_native = expected === digest.checksum;
}
console.log(JSON.stringify(out));
if (out.matches_native === false) process.exit(1);
