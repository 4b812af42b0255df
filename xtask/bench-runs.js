// The timing loop of `cargo xtask bench wasm`'s WASM side, shared by node (xtask/bench-wasm.mjs)
// and the Chromium worker (xtask/bench-worker.js) so both time exactly what the native side
// (crates/bench-native) times: `warmup` untimed calls of the harness's `digest(args_json)` (at
// least one), then `reps` timed calls, each of which must give the first call's digest. V8
// compiles a module with its baseline compiler first and optimises hot functions in the
// background, so the warm-up is what lets the timed calls measure the optimised code.

/** Returns `{digest, ms: [..], work}` or throws. */
export function timedRuns(digest, argsJson, warmup, reps) {
  const parse = (text) => {
    const v = JSON.parse(text);
    if (v.error !== undefined) throw new Error(`harness error: ${v.error}`);
    return v;
  };
  const first = parse(digest(argsJson));
  const same = (v) => {
    if (v.digest !== first.digest) {
      throw new Error(`two runs differ: ${first.digest} then ${v.digest}`);
    }
  };
  for (let i = 1; i < warmup; i++) same(parse(digest(argsJson)));
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    const out = digest(argsJson);
    ms.push(Math.round((performance.now() - start) * 10) / 10);
    same(parse(out));
  }
  return { digest: first.digest, ms, work: first.work ?? null };
}
