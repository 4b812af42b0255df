// The WASM side of `cargo xtask bench wasm` (xtask/src/bench_wasm.rs holds the workloads).
//
// Usage: node xtask/bench-wasm.mjs node|chromium <harness dir> <bindings file> <args_json> <warmup> <reps>
//
// <harness dir> holds a harness's wasm-bindgen `--target web` output. `node` loads it in this
// process; `chromium` serves the directory (plus this tool's worker) on 127.0.0.1 and runs it in
// a module worker of headless Debian Chromium, driven by the e2e suite's Playwright. Either way
// prints ONE JSON line `{"digest", "ms": [..], "work"}` (bench-runs.js), the shape the native side
// prints; exits 1 on any failure, 2 on bad usage.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { timedRuns } from './bench-runs.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const [where, dir, bindings, argsJson, warmupText, repsText] = process.argv.slice(2);
const [warmup, reps] = [Number(warmupText), Number(repsText)];
if (!['node', 'chromium'].includes(where) || !dir || !bindings || !argsJson || !(warmup >= 1) || !(reps >= 1)) {
  console.error('usage: node xtask/bench-wasm.mjs node|chromium <dir> <bindings.js> <args_json> <warmup> <reps>');
  process.exit(2);
}

async function inNode() {
  const harness = await import(pathToFileURL(path.resolve(dir, bindings)).href);
  const wasm = fs.readFileSync(path.resolve(dir, bindings.replace(/\.js$/, '_bg.wasm')));
  harness.initSync({ module: wasm });
  return timedRuns(harness.digest, argsJson, warmup, reps);
}

const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const PAGE = `<!doctype html><meta charset="utf-8"><title>bench</title><script type="module">
const worker = new Worker('/tool/bench-worker.js', { type: 'module' });
worker.onmessage = (e) => {
  if (e.data === 'ready') {
    worker.postMessage(JSON.parse(decodeURIComponent(location.hash.slice(1))));
  } else {
    window.benchResult = e.data;
  }
};
worker.onerror = (e) => { window.benchResult = { error: e.message || 'worker failed to load' }; };
</script>`;

/** Serves `/` (the page), `/tool/*` (this directory's worker and loop) and `/harness/*`. */
function serve() {
  const roots = { tool: here, harness: path.resolve(dir) };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': TYPES['.html'] });
      return res.end(PAGE);
    }
    const [, top, ...rest] = url.pathname.split('/');
    const name = rest.join('/');
    const file = roots[top] && path.join(roots[top], name);
    if (!file || name.includes('..') || !fs.existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function inChromium() {
  const require = createRequire(path.join(here, '../tests/e2e/package.json'));
  const { chromium } = require('@playwright/test');
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const job = { bindings: `/harness/${bindings}`, args: argsJson, warmup, reps };
    const { port } = server.address();
    await page.goto(`http://127.0.0.1:${port}/#${encodeURIComponent(JSON.stringify(job))}`);
    const handle = await page.waitForFunction(() => window.benchResult, null, { timeout: 600_000 });
    const result = await handle.jsonValue();
    if (result.error !== undefined) throw new Error(result.error);
    return result.line;
  } finally {
    await browser.close();
    server.close();
  }
}

try {
  const line = where === 'node' ? await inNode() : await inChromium();
  console.log(JSON.stringify(line));
} catch (e) {
  console.error(`bench-wasm (${where}): ${e.message ?? e}`);
  process.exit(1);
}
