// Loads the wasm-bindgen `--target nodejs` output from argv[2], runs the fixed workload, prints
// ONE JSON line: the digest and timing. Compare "digest" with `limit-digest`'s.
import { createRequire } from 'node:module';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node check.mjs <wasm-bindgen nodejs out dir> [seed] [expected_digest]');
  process.exit(2);
}
const seed = BigInt(process.argv[3] ?? '1');
const require = createRequire(import.meta.url);
const wasm = require(path.resolve(dir, 'ratelimit_wasm.js'));
const start = performance.now();
const result = JSON.parse(wasm.workload_digest(seed));
const ms = performance.now() - start;
const expected = process.argv[4];
const out = { side: 'wasm', seed: Number(seed), ...result, ms: Number(ms.toFixed(1)) };
if (expected !== undefined) out.matches_native = expected === result.digest;
console.log(JSON.stringify(out));
// Run by `cargo xtask parity`: a digest that differs from the native one fails the check.
if (out.matches_native === false) process.exit(1);
