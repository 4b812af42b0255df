// Budgets: the first load of home (HTML + JS + WASM + CSS), gzipped, stays under 250 KB.
import { test, expect } from "@playwright/test";
import zlib from "node:zlib";
import { url, appReady } from "./lib.js";

const BUDGET_BYTES = 250_000;

test("first load of home fits the gzip budget", async ({ page }) => {
  const bodies = [];
  page.on("response", async (res) => {
    const type = res.request().resourceType();
    if (["document", "script", "stylesheet", "fetch", "other"].includes(type) || res.url().endsWith(".wasm")) {
      bodies.push(res.body().then((b) => ({ url: res.url(), type, raw: b.length, gz: zlib.gzipSync(b, { level: 9 }).length })));
    }
  });
  await page.goto(url("/"));
  await appReady(page);
  await page.waitForLoadState("networkidle");
  const files = await Promise.all(bodies);
  const total = files.reduce((sum, f) => sum + f.gz, 0);
  for (const f of files) {
    console.log(`budget: ${String(f.gz).padStart(8)} B gzip  ${String(f.raw).padStart(8)} B raw  ${new URL(f.url).pathname}`);
  }
  console.log(`budget: first load of home = ${(total / 1000).toFixed(1)} KB gzip (limit ${BUDGET_BYTES / 1000} KB)`);
  expect(files.some((f) => f.url.endsWith(".wasm"))).toBe(true);
  expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
});
