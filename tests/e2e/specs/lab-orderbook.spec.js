// The order book lab (/lab/orderbook): the engine runs in the page. Trading crosses the spread and
// reaches the tape, bad input changes nothing, a shared link replays the same book, and the benchmark worker completes (with the native
// checksum) while the page stays responsive (the long-task check is in lab-perf.spec.js). Screenshots in both themes go to target/e2e/.
import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { OUT, SUB_URL, url, watch, appReady, showLab } from "./lib.js";

const LAB = "/lab/orderbook";

/** Digits of a figure as shown (thin-space grouped). */
const num = (text) => Number(String(text).replace(/[^0-9]/g, ""));

async function openLab(page, route = LAB, base) {
  await page.goto(url(route, base));
  await appReady(page);
  await showLab(page);
  await expect(page.getByTestId("ladder")).toBeVisible();
}

const status = (page, id) => page.locator(`[data-status="${id}"]`);

test("a crossing order trades: the tape shows it and the ladder changes", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  const ladder = page.getByTestId("ladder");
  const bestAsk = ladder.locator("tbody.asks tr.lvl").last();
  const askPrice = num(await bestAsk.locator("button").innerText());
  const askQty = num(await bestAsk.locator(".lvl-qty").innerText());
  const before = await ladder.innerText();
  const timeBefore = num(await status(page, "time").innerText());

  // Tapping the level fills the price and opens its queue.
  await bestAsk.locator("button").click();
  await expect(page.locator("#lab-price")).toHaveValue(String(askPrice));
  await expect(page.getByTestId("queue").locator("li").first()).toBeVisible();
  await page.locator("#lab-qty").fill(String(askQty));
  await page.getByRole("button", { name: "Place order" }).click();

  await expect(page.getByTestId("form-result")).toContainText("TRADE");
  const trade = page.getByTestId("tape").locator("tbody tr").first();
  expect(num(await trade.locator("td").nth(0).innerText())).toBe(timeBefore + 1);
  await expect(trade.locator("td").nth(2)).toHaveText(askPrice.toLocaleString("en").replace(/,/g, "\u2009"));
  await expect(ladder).not.toHaveText(before);
  await expect(status(page, "invariants")).toContainText("holding");
  await expect(page.getByTestId("event-log")).toContainText("TRADE");
  expect(w.problems()).toEqual([]);
});

test("an invalid price shows an error and changes nothing", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  const ladder = await page.getByTestId("ladder").innerText();
  const time = await status(page, "time").innerText();
  for (const [bad, message] of [
    ["-5", "cannot be negative"],
    ["1.5", "whole number"],
    ["NaN", "digits only"],
    ["99999999999999999999", "at most"],
  ]) {
    await page.locator("#lab-price").fill(bad);
    await expect(page.locator("#lab-price-error")).toContainText(message);
    await expect(page.locator("#lab-price")).toHaveAttribute("aria-invalid", "true");
  }
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByTestId("form-result")).toContainText("nothing was sent");
  expect(await page.getByTestId("ladder").innerText()).toBe(ladder);
  expect(await status(page, "time").innerText()).toBe(time);
  expect(w.problems()).toEqual([]);
});

test("a shared link replays the same book", async ({ page, context }) => {
  const w = watch(page);
  await openLab(page, `${LAB}?seed=7`);
  await expect(status(page, "seed")).toHaveText("7");
  for (let i = 0; i < 5; i++) await page.getByRole("button", { name: "One command" }).click();
  const bestBid = num(await page.getByTestId("ladder").locator("tbody.bids tr.lvl button").first().innerText());
  await page.locator("#lab-price").fill(String(bestBid - 1));
  await page.locator("#lab-qty").fill("33");
  await page.locator("#lab-owner").fill("3");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByTestId("my-orders")).toContainText("33");
  await page.getByTestId("share").click();
  const link = await page.getByTestId("share-link").inputValue();
  expect(link).toContain("seed=7");
  const ladder = await page.getByTestId("ladder").innerText();
  const time = await status(page, "time").innerText();
  // The log's panel skips rendering off screen (content-visibility), which empties innerText.
  await page.getByTestId("event-log").scrollIntoViewIfNeeded();
  await expect.poll(() => page.getByTestId("event-log").innerText()).toContain("ACCEPT");
  const log = await page.getByTestId("event-log").innerText();

  const again = await context.newPage();
  const w2 = watch(again);
  await again.goto(link);
  await appReady(again);
  await expect(again.getByTestId("ladder")).toBeVisible();
  await expect.poll(() => again.getByTestId("ladder").innerText()).toBe(ladder);
  await expect(status(again, "time")).toHaveText(time);
  await again.getByTestId("event-log").scrollIntoViewIfNeeded();
  await expect.poll(() => again.getByTestId("event-log").innerText()).toBe(log);
  expect(w.problems()).toEqual([]);
  expect(w2.problems()).toEqual([]);
});

test("a preset steps through matching with an explanation", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await page.locator('[data-preset="sweep"]').click();
  const step = page.getByRole("button", { name: "Step", exact: true });
  await step.click(); // ACCEPT
  await step.click(); // first trade
  await expect(page.getByTestId("step-events")).toContainText("Price first");
  await expect(page.locator("tr.lvl.hit")).toHaveCount(1);
  await page.getByRole("button", { name: "Run the rest" }).click();
  await expect(page.getByTestId("tape").locator("tbody tr")).toHaveCount(3);
  expect(w.problems()).toEqual([]);
});

function nativeChecksum(ops) {
  const out = execFileSync(
    "nice",
    ["-n", "10", "cargo", "run", "--release", "--locked", "--offline", "-q", "-p", "orderbook", "--bin", "book-bench", "--", "--flow", String(ops), "--seed", "42"],
    { cwd: path.resolve("../.."), encoding: "utf8", timeout: 170_000 },
  );
  const last = out.trim().split("\n").pop();
  const figures = JSON.parse(last);
  console.log(`native: ${last}`);
  return figures.checksum;
}

for (const [name, base] of [["root", undefined], ["sub-path", SUB_URL]]) {
  test(`the in-browser benchmark completes without freezing the page (${name})`, async ({ page }) => {
    test.setTimeout(240_000);
    const w = watch(page);
    await openLab(page, LAB, base);
    await page.getByTestId("bench-start").click();
    await expect(page.getByTestId("bench-cancel")).toBeEnabled();
    // The page answers while the worker runs.
    const before = num(await status(page, "time").innerText());
    await page.getByRole("button", { name: "One command" }).click();
    await expect.poll(async () => num(await status(page, "time").innerText())).toBe(before + 1);
    await expect(page.getByTestId("bench-result")).toBeVisible({ timeout: 120_000 });
    const opsPerSec = num(await page.getByTestId("bench-ops").innerText());
    const checksum = await page.getByTestId("bench-checksum").innerText();
    console.log(`browser (${name}): ${opsPerSec} ops/s, checksum ${checksum}`);
    expect(opsPerSec).toBeGreaterThan(0);
    expect(checksum).toMatch(/^[0-9a-f]{16}$/);
    if (name === "root") expect(checksum).toBe(nativeChecksum(1_000_000));
    // The steady pace as a multiple of the recorded native flow figure, computed from the two.
    const versus = await page.getByTestId("bench-versus").innerText();
    const m = versus.match(/pace, (.+?) ops\/s .*?: (\d+\.\d\d)× the native figure \((\d+(?:\.\d+)?) M ops\/s\)/);
    expect(m, versus).not.toBeNull();
    const [steady, ratio, native] = [num(m[1]), Number(m[2]), Number(m[3]) * 1e6];
    // The page rounds the ratio to two decimals and the native figure to three digits.
    expect(Math.abs(ratio - steady / native)).toBeLessThanOrEqual(0.005 + 0.006 * (steady / native));
    // A release build says nothing about debug builds.
    await expect(page.getByTestId("debug-build")).toHaveCount(0);
    expect(w.problems()).toEqual([]);
  });
}

test("the benchmark can be cancelled", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await page.locator("#lab-bench-ops").selectOption("5000000");
  await page.getByTestId("bench-start").click();
  await expect(page.locator(".bench-browser progress")).toBeVisible();
  await page.getByTestId("bench-cancel").click();
  await expect(page.locator(".bench-browser")).toContainText("Cancelled");
  expect(w.problems()).toEqual([]);
});

for (const scheme of ["light", "dark"]) {
  for (const width of [375, 1280]) {
    test(`lab screenshot ${scheme} ${width}px`, async ({ browser }) => {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width, height: 900 } });
      const page = await context.newPage();
      await openLab(page);
      await page.getByTestId("ladder").locator("tbody.bids button").first().click();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(OUT, `lab-orderbook-${scheme}-${width}.png`), fullPage: true });
      await context.close();
    });
  }
}

test("the home page's project 01 links to the lab", async ({ page }) => {
  await page.goto(url("/"));
  await appReady(page);
  const card = page.locator(".project-card.featured");
  await card.locator(".card-lab a").click();
  await expect(page).toHaveURL(url(LAB));
  await expect(page.getByTestId("ladder")).toBeVisible();
});

test("the lab links to the engine source it runs, highlighted at build time", async ({ page }) => {
  await openLab(page);
  const w = watch(page);
  await page.getByRole("link", { name: /crates\/orderbook\/src\/book\.rs/ }).click();
  await expect(page).toHaveURL(/\/source\/orderbook-book\.html$/);
  await expect(page.locator("h1")).toHaveText("crates/orderbook/src/book.rs");
  const code = page.locator("pre.code");
  await expect(code).toContainText("pub struct Book");
  expect(await code.locator("[class*='hl-']").count()).toBeGreaterThan(100);
  expect(w.problems()).toEqual([]);
  await page.getByRole("link", { name: "Back to the lab" }).click();
  await expect(page.getByTestId("ladder")).toBeVisible();
});
