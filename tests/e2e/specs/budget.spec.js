// Budgets: what a first visit fetches (HTML + JS + WASM + CSS, gzipped), file by file. Home's
// must stay within the budget; each lab page's is reported beside it (a lab adds its own module,
// its worker and the live stylesheet, loaded once the page has painted).
import { test, expect } from "@playwright/test";
import zlib from "node:zlib";
import { CONTENT, url, appReady, showLab } from "./lib.js";

const BUDGET_BYTES = 250_000;

async function firstLoad(page, route, lab) {
  const bodies = [];
  const collect = (res) => {
    const type = res.request().resourceType();
    if (["document", "script", "stylesheet", "fetch", "other"].includes(type) || res.url().endsWith(".wasm")) {
      bodies.push(res.body().then((b) => ({ url: res.url(), raw: b.length, gz: zlib.gzipSync(b, { level: 9 }).length })).catch(() => null));
    }
  };
  page.on("response", collect);
  await page.goto(url(route));
  await appReady(page);
  if (lab) {
    await showLab(page);
    await page.locator(".lab-live [data-status]").first().waitFor();
  }
  await page.waitForLoadState("networkidle");
  page.off("response", collect);
  const files = (await Promise.all(bodies)).filter(Boolean);
  const total = files.reduce((sum, f) => sum + f.gz, 0);
  for (const f of files.sort((a, b) => b.gz - a.gz)) {
    console.log(`budget: ${route.padEnd(20)} ${String(f.gz).padStart(8)} B gzip  ${String(f.raw).padStart(8)} B raw  ${new URL(f.url).pathname}`);
  }
  console.log(`budget: first load of ${route} = ${(total / 1000).toFixed(1)} KB gzip${lab ? "" : ` (limit ${BUDGET_BYTES / 1000} KB)`}`);
  return { files, total };
}

test("first load of home fits the gzip budget", async ({ page }) => {
  const { files, total } = await firstLoad(page, "/", false);
  expect(files.some((f) => f.url.endsWith(".wasm"))).toBe(true);
  expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
});

test("each lab page's first load is reported", async ({ page }) => {
  for (const lab of CONTENT.labs) {
    const { files } = await firstLoad(page, `/lab/${lab.slug}`, true);
    expect(files.some((f) => f.url.includes(`lab-${lab.slug}_bg.wasm`))).toBe(true);
  }
});
