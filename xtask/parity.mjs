// The WASM side of `cargo xtask parity`, the same for every engine (xtask/src/parity.rs holds the
// workloads and runs this once per workload).
//
// Usage: node xtask/parity.mjs <engine> <harness bindings .js> <args_json> [expected]
//
// Loads a `<engine>-wasm` harness's wasm-bindgen `--target nodejs` bindings, calls its one
// export `digest(args_json)` (which returns `{"digest": "..", "work": {..}}` or `{"error": ".."}`)
// twice — a warm-up for the JIT, whose answer must be the same, then a timed run — and prints ONE
// JSON line: {"engine","workload","digest","expected","ok","wasm_ms","work"}. Exits 1 when the
// digest differs from `expected` (or the harness reports an error), 2 on bad usage.
import { createRequire } from 'node:module';
import path from 'node:path';

const [engine, bindings, argsJson, expected] = process.argv.slice(2);
if (!engine || !bindings || !argsJson) {
  console.error('usage: node xtask/parity.mjs <engine> <bindings.js> <args_json> [expected]');
  process.exit(2);
}
const workload = JSON.parse(argsJson).workload ?? null;
const require = createRequire(import.meta.url);
const harness = require(path.resolve(bindings));

// The arguments go to the harness as the text xtask wrote, so no number passes through a JS double.
const warmup = JSON.parse(harness.digest(argsJson));
const start = performance.now();
const result = JSON.parse(harness.digest(argsJson));
const wasmMs = performance.now() - start;

const line = {
  engine,
  workload,
  digest: result.digest ?? null,
  expected: expected ?? null,
  ok: null,
  wasm_ms: Math.round(wasmMs * 10) / 10,
  work: result.work ?? null,
};
if (result.error !== undefined || warmup.error !== undefined) {
  line.ok = false;
  line.error = result.error ?? warmup.error;
} else if (warmup.digest !== result.digest) {
  line.ok = false;
  line.error = `two runs in one instance differ: ${warmup.digest} then ${result.digest}`;
} else if (expected !== undefined) {
  line.ok = expected === result.digest;
}
console.log(JSON.stringify(line));
if (line.ok === false) process.exit(1);
