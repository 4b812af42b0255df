// Native/WASM parity check for the raft engine.
// Usage: node raft-wasm/check.mjs <dir with wasm-bindgen --target nodejs output> [expected_digest]
// Prints ONE JSON line: the trace digest of the fixed run (seed 42, 5 nodes, 2000 ticks,
// sweep fault schedule) and the timing of a fixed 200-seed sweep under WASM. With
// expected_digest (from `raft-sim ... --digest`), adds "match" and exits 1 on mismatch.
import { createRequire } from 'node:module';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.log(JSON.stringify({ error: 'usage: node check.mjs <pkg-dir> [expected_digest]' }));
  process.exit(2);
}
const require = createRequire(import.meta.url);
const wasm = require(path.resolve(dir, 'raft_wasm.js'));

const SEED = 42, NODES = 5, TICKS = 2000, SWEEP_SEEDS = 200;
const trace = JSON.parse(wasm.trace_digest(SEED, NODES, TICKS, true));
const t0 = performance.now();
const sweep = JSON.parse(wasm.sweep(0, SWEEP_SEEDS, NODES, TICKS));
const sweepS = (performance.now() - t0) / 1000;

const out = {
  digest: trace.digest,
  lines: trace.lines,
  deliveries: trace.deliveries,
  run: { seed: SEED, nodes: NODES, ticks: TICKS, faults: 'sweep' },
  sweep_seeds: sweep.seeds,
  sweep_violations: sweep.violations,
  sweep_deliveries: sweep.deliveries,
  wasm_sweep_s: Math.round(sweepS * 1000) / 1000,
  wasm_deliveries_per_sec: Math.round(sweep.deliveries / sweepS),
};
const expected = process.argv[3];
if (expected) out.match = expected === trace.digest;
console.log(JSON.stringify(out));
if (expected && !out.match) process.exit(1);
