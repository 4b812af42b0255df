// `cargo xtask bench wasm` in Chromium: a module worker, like the labs' engine workers. It posts
// "ready" first (a message posted before a worker runs is lost), then answers one
// `{bindings, args, warmup, reps}` with `{line}` or `{error}`.
import { timedRuns } from './bench-runs.js';

self.onmessage = async (event) => {
  const { bindings, args, warmup, reps } = event.data;
  try {
    const harness = await import(bindings);
    await harness.default();
    self.postMessage({ line: timedRuns(harness.digest, args, warmup, reps) });
  } catch (e) {
    self.postMessage({ error: String(e && e.stack ? e.stack : e) });
  }
};
self.postMessage('ready');
