// The rate limiter lab (/lab/rate-limiter) in Chromium: the panels' contract (data-algo,
// data-status allowed/denied, the two exports), a burst beyond the limit, the rate changing the
// chart, the boundary burst under the fixed window and the sliding log, the exported trace
// replayed by the real `limit-replay` binary (its path in target/e2e/tools.json, written by
// `cargo xtask test`), shards killed under fail-closed and fail-open, the accuracy experiment
// and the benchmark in the worker, links, and bad links.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { test, expect } from "@playwright/test";
import { CONTENT, OUT, url, watch, appReady, showLab } from "./lib.js";

const TOOLS = JSON.parse(fs.readFileSync(path.join(OUT, "tools.json"), "utf8"));
const ALGOS = ["token-bucket", "gcra", "fixed-window", "sliding-log", "sliding-window"];
const panel = (page, algo) => page.locator(`[data-algo="${algo}"]`).first();
const count = async (page, algo, which) =>
  Number((await panel(page, algo).locator(`[data-status="${which}"]`).innerText()).replace(/\D/g, ""));

async function openLab(page, query = "") {
  await page.goto(url(`/lab/rate-limiter${query}`));
  await appReady(page);
  await showLab(page);
  await expect(panel(page, "token-bucket")).toBeVisible();
}

async function exportText(page, algo, testid) {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    panel(page, algo).getByTestId(testid).click(),
  ]);
  return fs.readFileSync(await download.path(), "utf8");
}

test("every algorithm has its panel, counts and exports", async ({ page }) => {
  const w = watch(page);
  await openLab(page, "?until=5000");
  for (const algo of ALGOS) {
    const p = panel(page, algo);
    await expect(p.locator('[data-status="allowed"]')).toHaveText(/^\d[\d ,]*$/);
    await expect(p.locator('[data-status="denied"]')).toHaveText(/^\d[\d ,]*$/);
    await expect(p.getByRole("button", { name: "Export trace" })).toBeVisible();
    await expect(p.getByRole("button", { name: "Export decisions" })).toBeVisible();
  }
  expect(await count(page, "token-bucket", "allowed")).toBeGreaterThan(0);
  expect(w.problems()).toEqual([]);
});

test("a burst beyond the limit shows denials, and a held key sends requests", async ({ page }) => {
  await openLab(page, "?traffic=manual&rate=2&burst=3&window=1000");
  const press = page.getByTestId("press");
  for (let i = 0; i < 6; i++) await press.click();
  await expect(panel(page, "token-bucket").locator('[data-status="allowed"]')).toHaveText("3");
  await expect(panel(page, "token-bucket").locator('[data-status="denied"]')).toHaveText("3");
  await expect(panel(page, "fixed-window").locator('[data-status="allowed"]')).toHaveText("2");
  // Keyboard: Enter on the focused button, repeated, is one request per key event.
  await press.focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press(" ");
  await expect(page.locator('[data-status="presses"]')).toHaveText("8");
});

test("changing the rate changes the chart, and a bad value changes nothing", async ({ page }) => {
  await openLab(page, "?until=10000&trate=40");
  const chart = panel(page, "token-bucket").locator("svg.rl-chart");
  const before = await chart.innerHTML();
  const allowedBefore = await count(page, "token-bucket", "allowed");
  await page.getByLabel("Rate (per second)").fill("30");
  await page.getByLabel("Rate (per second)").press("Enter");
  await page.getByLabel("Rate (per second)").blur();
  await expect.poll(() => count(page, "token-bucket", "allowed")).toBeGreaterThan(allowedBefore);
  expect(await chart.innerHTML()).not.toEqual(before);
  // 3 per second does not divide a 500 ms window: refused, next to the field, nothing changed.
  await page.getByLabel("Window (ms)").fill("500");
  await page.getByLabel("Window (ms)").blur();
  await expect(page.locator("#rl-window-error")).toHaveText("");
  const allowed = await count(page, "fixed-window", "allowed");
  const share = async () => (await page.getByTestId("share").click(), page.getByTestId("share-link").inputValue());
  const link = await share();
  expect(link).toContain("rate=30&burst=10&window=500");
  await page.getByLabel("Rate (per second)").fill("3");
  await page.getByLabel("Rate (per second)").blur();
  await expect(page.locator("#rl-rate-error")).toContainText("nothing was changed");
  expect(await count(page, "fixed-window", "allowed")).toBe(allowed);
  expect(await share()).toBe(link);
  await page.getByLabel("Rate (per second)").fill("0");
  await page.getByLabel("Rate (per second)").blur();
  await expect(page.locator("#rl-rate-error")).toContainText("from 1 to");
  expect(await count(page, "fixed-window", "allowed")).toBe(allowed);
  expect(await share()).toBe(link);
});

test("the boundary burst admits twice the limit under a fixed window, not under the sliding log", async ({ page }) => {
  // Rate 10 per 1 s window: 10 requests just before 2 s, 10 just after.
  await openLab(page, "?traffic=boundary&rate=10&burst=10&window=1000&until=3000");
  await expect(panel(page, "fixed-window").locator('[data-status="allowed"]')).toHaveText("20");
  await expect(panel(page, "sliding-log").locator('[data-status="allowed"]')).toHaveText("10");
  await expect(panel(page, "sliding-log").locator('[data-status="denied"]')).toHaveText("10");
});

test("an exported trace replays through limit-replay to the lab's own decisions", async ({ page }) => {
  await openLab(page, "?traffic=bursty&trate=60&until=6000&press=100,100,2500");
  for (const algo of ALGOS) {
    const trace = await exportText(page, algo, "export-trace");
    const decisions = await exportText(page, algo, "export-decisions");
    const header = trace.split("\n")[0];
    expect(header).toMatch(new RegExp(`^# limit-replay --algo ${algo} --rate \\d+ --burst \\d+ --window-ms \\d+`));
    const args = header.replace(/^# limit-replay /, "").split(" ");
    const printed = execFileSync(TOOLS.limit_replay, args, { input: trace, encoding: "utf8" });
    expect(decisions.length).toBeGreaterThan(0);
    expect(printed).toEqual(decisions);
  }
});

test("killing a shard: fail-closed denies its keys, fail-open denies none", async ({ page }) => {
  await openLab(page, "?policy=closed&until=2000");
  const cluster = page.getByTestId("cluster");
  await expect(cluster.getByLabel("Degradation policy")).toHaveValue("closed");
  await cluster.getByRole("button", { name: /Shard 1: up/ }).click();
  await expect(cluster.getByRole("button", { name: /Shard 1: down/ })).toBeVisible();
  for (let i = 0; i < 20; i++) await page.getByRole("button", { name: "Step 0.1 s" }).click();
  await expect(page.getByTestId("availability")).not.toContainText(": 0 requests denied");
  await expect(page.getByTestId("over-admission")).toContainText("Over-admission: 0 requests");
  // The same kill under fail-open: nobody refused for it.
  await cluster.getByLabel("Degradation policy").selectOption("open");
  await expect(page.getByTestId("availability")).toContainText(": 0 requests denied");
  // The link replays the kill.
  await page.getByTestId("share").click();
  const link = await page.getByTestId("share-link").inputValue();
  expect(link).toContain("shards=k1@");
  expect(link).toContain("policy=open");
});

test("adding a shard moves only some keys, to the new shard", async ({ page }) => {
  await openLab(page, "?until=1000");
  await page.getByTestId("add-shard").click();
  await expect(page.getByRole("button", { name: /Shard 4: up/ })).toBeVisible();
  const text = await page.getByTestId("moved").innerText();
  const [, keys, of] = text.match(/moved (\d+) of (\d+) keys/);
  expect(Number(keys)).toBeGreaterThan(0);
  expect(Number(keys) * 2).toBeLessThan(Number(of));
  expect(text).toContain("to shard(s) 4");
});

test("the accuracy experiment runs in the worker and reports a number", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await page.getByLabel("Sources").fill("500");
  await page.getByTestId("accuracy-start").click();
  await expect(page.getByTestId("wrongly-allowed")).toHaveText(/^\d+\.\d{4} %$/, { timeout: 60_000 });
  await expect(page.getByTestId("wrongly-denied")).toHaveText(/^\d+\.\d{4} %$/);
  expect(w.problems()).toEqual([]);
});

test("the benchmark times every algorithm in the worker", async ({ page }) => {
  await openLab(page);
  await page.getByTestId("bench-start").click();
  await expect(page.locator('[data-status="bench-done"]')).toBeVisible({ timeout: 90_000 });
  for (const algo of ALGOS) {
    await expect(page.locator(`tr[data-algo="${algo}"] [data-testid="bench-many"]`)).toHaveText(/^\d+\.\d \(\d+\.\d–\d+\.\d\)$/);
    // The median against limit-bench's figure for the same algorithm and keys.
    await expect(page.locator(`tr[data-algo="${algo}"] [data-testid="bench-versus"]`)).toHaveText(/^\d+\.\d\d×$/);
  }
  await expect(page.getByTestId("debug-build")).toHaveCount(0);
});

test("a bad link is reported and the lab still runs", async ({ page }) => {
  await openLab(page, "?rate=0&traffic=loud&shards=zz");
  await expect(page.getByTestId("link-error")).toContainText("rate");
  await expect(page.getByTestId("link-error")).toContainText("traffic");
  await page.getByTestId("press").click();
  await expect(page.locator('[data-status="presses"]')).toHaveText("1");
});

test("project 02, its page, the System Design thread and the lab index link to the lab", async ({ page }) => {
  const project = CONTENT.projects.find((p) => p.slug === "rate-limiter");
  expect(project.lab.path).toBe("/lab/rate-limiter");
  await page.goto(url("/work"));
  await appReady(page);
  await expect(page.getByRole("link", { name: project.lab.label }).first()).toHaveAttribute("href", /lab\/rate-limiter$/);
  await page.goto(url("/work/rate-limiter"));
  await appReady(page);
  await expect(page.getByRole("link", { name: project.lab.label })).toHaveAttribute("href", /lab\/rate-limiter$/);
  const thread = CONTENT.threads.find((t) => (t.labs || []).some((l) => l.path === "/lab/rate-limiter"));
  expect(thread.title).toBe("System Design");
  await page.goto(url("/"));
  await appReady(page);
  const lab = thread.labs.find((l) => l.path === "/lab/rate-limiter");
  await page.getByRole("link", { name: lab.label }).click();
  await expect(page).toHaveURL(url("/lab/rate-limiter"));
  await expect(panel(page, "gcra")).toBeVisible();
  await page.goto(url("/lab"));
  await appReady(page);
  await expect(page.locator('a[href$="lab/rate-limiter"]').first()).toBeVisible();
});

test("at 375 px the lab fits the screen", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await openLab(page, "?until=3000");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
