// The market-data lab (/lab/market-data) in Chromium: the client reaches Live with every
// checksum matching, each preset's recovery path (gap, checksum mismatch, cable pulled, all of
// them), the actions, the event log's scrubber rebuilding the book, a shared link replaying the
// same run, the keyboard, the benchmark in the worker beside md-bench's figure, bad links, the
// links to the lab, and a 360 px screen — with no console error anywhere.
import { test, expect } from "@playwright/test";
import { CONTENT, url, watch, appReady, showLab } from "./lib.js";

const LAB = "/lab/market-data";
const status = (page, id) => page.locator(`[data-status="${id}"]`);
const num = (text) => Number(String(text).replace(/[^0-9]/g, ""));
const WORDS = CONTENT.labs.find((l) => l.slug === "market-data");

async function openLab(page, query = "") {
  await page.goto(url(`${LAB}${query}`));
  await appReady(page);
  await showLab(page);
  await expect(page.getByTestId("state-machine")).toBeVisible();
}

/** Sets a range input as a drag would end, and fires `event` (Playwright cannot fill one). */
async function setRange(locator, value, event) {
  await locator.evaluate((el, [v, e]) => {
    el.value = v;
    el.dispatchEvent(new Event(e, { bubbles: true }));
  }, [value, event]);
}

async function preset(page, slug) {
  await page.locator(`[data-preset="${slug}"]`).click();
}

test("the client takes the snapshot, goes Live and every update's checksum matches", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await expect(status(page, "state")).toHaveText("Disconnected");
  await expect(status(page, "tick")).toHaveText("0");
  await page.getByTestId("play").click();
  await expect(status(page, "state")).toHaveText("Live");
  await expect.poll(async () => num(await status(page, "applied").innerText())).toBeGreaterThan(20);
  await page.getByTestId("play").click();
  await expect(status(page, "resyncs")).toHaveText("0");
  // Live, and the client's book is the venue's as of its last message.
  await expect(status(page, "in-sync")).toHaveText(/^✓/);
  const received = page.getByTestId("received").locator("tbody tr");
  await expect(received.first()).toBeVisible();
  for (const row of await received.all()) {
    await expect(row).toContainText("✓ checksum matches");
  }
  await expect(page.getByTestId("transitions")).toContainText("connected — subscribing");
  await expect(page.getByTestId("transitions")).toContainText("applied — Live");
  expect(w.problems()).toEqual([]);
});

test("a dropped message is a gap, and the client resyncs", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await preset(page, "gap");
  await expect(status(page, "tick")).toHaveText("200");
  expect(num(await status(page, "resyncs").innerText())).toBeGreaterThan(0);
  await expect(page.getByTestId("transitions")).toContainText("resync — gap: expected #");
  await expect(status(page, "state")).toHaveText("Live");
  expect(w.problems()).toEqual([]);
});

test("a corrupted quantity fails its checksum, and the client resyncs", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await preset(page, "corrupt");
  await expect(page.getByTestId("transitions")).toContainText("checksum mismatch on #");
  await expect(page.getByTestId("received").locator("tr.mismatch")).toContainText("corrupted");
  await expect(page.getByTestId("sent")).toContainText("corrupted");
  await expect(status(page, "state")).toHaveText("Live");
  await expect(status(page, "resyncs")).toHaveText("1");
  expect(w.problems()).toEqual([]);
});

test("a pulled cable backs off, reconnects and resubscribes", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await preset(page, "cable");
  const t = page.getByTestId("transitions");
  await expect(t).toContainText(/tick 150: disconnected — back off until tick 154/);
  await expect(t.locator("li").first()).toContainText("applied — Live");
  await expect(status(page, "state")).toHaveText("Live");
  await expect(status(page, "resyncs")).toHaveText("0");
  // By hand: the cable goes out now, and the state shows when it comes back.
  await page.getByTestId("pull-cable").click();
  await expect(status(page, "state")).toHaveText("Disconnected");
  await expect(page.getByTestId("state-machine").locator(".md-state.current")).toContainText("retry at tick");
  await expect(page.getByTestId("pull-cable")).toBeDisabled();
  for (let i = 0; i < 20; i++) await page.getByRole("button", { name: "Step 1 tick" }).click();
  await expect(status(page, "state")).toHaveText("Live");
  expect(w.problems()).toEqual([]);
});

test("every fault at once: every recovery path, and the wire shows what happened", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await preset(page, "heavy");
  const t = page.getByTestId("transitions");
  await expect(status(page, "tick")).toHaveText(/^1\s500$/);
  expect(num(await status(page, "resyncs").innerText())).toBeGreaterThan(3);
  await expect(page.locator('[data-testid="received"] tbody tr, [data-testid="sent"] tbody tr')).not.toHaveCount(0);
  await expect(t.locator("li")).not.toHaveCount(0);
  expect(w.problems()).toEqual([]);
});

test("the scrubber rebuilds the book from the log at any record", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await preset(page, "corrupt");
  const scrubber = page.locator("#md-scrubber");
  await scrubber.focus();
  await page.keyboard.press("End");
  await expect(status(page, "rebuilt")).toContainText("the same as the record's");
  const last = num(await status(page, "offset").innerText());
  expect(last).toBeGreaterThan(100);
  await page.keyboard.press("Home");
  await expect(status(page, "record")).toContainText("(snapshot)");
  await expect(status(page, "rebuilt")).toContainText("the same as the record's");
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
  await expect(status(page, "offset")).toContainText("record 5 of");
  await expect(status(page, "record")).toContainText("(update)");
  await expect(status(page, "rebuilt")).toContainText("the same as the record's");
  await expect(page.getByTestId("rebuilt-book").locator("tbody tr")).toHaveCount(20);
  // The resync's fresh snapshot is in the log too: the whole log rebuilds.
  await setRange(scrubber, String(Math.floor(last / 2)), "input");
  await expect(status(page, "rebuilt")).toContainText("the same as the record's");
  expect(w.problems()).toEqual([]);
});

test("a shared link replays the same run", async ({ page, browser }) => {
  const w = watch(page);
  await openLab(page);
  await preset(page, "heavy");
  await page.getByTestId("corrupt-next").click();
  for (let i = 0; i < 30; i++) await page.getByRole("button", { name: "Step 1 tick" }).click();
  await setRange(page.locator("#md-drop"), "100", "change");
  await page.getByTestId("play").click();
  await page.waitForTimeout(1000);
  await page.getByTestId("play").click();
  await page.getByTestId("share").click();
  const link = await page.getByTestId("share-link").inputValue();
  expect(link).toContain("seed=5");
  expect(link).toMatch(/acts=x@1500,f@1530:100\.50\.50\.10\.4\.3/);
  const snapshot = async (p) => ({
    tick: await status(p, "tick").innerText(),
    applied: await status(p, "applied").innerText(),
    resyncs: await status(p, "resyncs").innerText(),
    state: await status(p, "state").innerText(),
    client: await status(p, "client-book-checksum").innerText(),
    transitions: await p.getByTestId("transitions").innerText(),
    received: await p.getByTestId("received").innerText(),
    log: await status(p, "log-size").innerText(),
  });
  const before = await snapshot(page);
  const other = await browser.newPage();
  const w2 = watch(other);
  await other.goto(link);
  await appReady(other);
  await showLab(other);
  await expect(status(other, "tick")).toHaveText(before.tick);
  expect(await snapshot(other)).toEqual(before);
  await expect(other.locator("#md-drop")).toHaveValue("100");
  await expect(other.getByTestId("link-error")).toHaveCount(0);
  expect(w.problems()).toEqual([]);
  expect(w2.problems()).toEqual([]);
  await other.close();
});

test("the keyboard reaches the presets, the actions and the player", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await page.locator('[data-preset="clean"]').focus();
  await page.keyboard.press("Enter");
  await expect(status(page, "tick")).toHaveText("120");
  await page.getByTestId("corrupt-next").focus();
  await page.keyboard.press(" ");
  await expect(page.getByTestId("corrupt-pending")).toBeVisible();
  await page.getByRole("button", { name: "Step 1 tick" }).focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press("Enter");
  await expect(page.getByTestId("corrupt-pending")).toHaveCount(0);
  await expect(page.getByTestId("transitions")).toContainText("checksum mismatch");
  await page.locator("#md-dup").focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.locator("#md-dup")).toHaveValue("1");
  await page.getByTestId("play").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("play")).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("play")).toHaveAttribute("aria-pressed", "false");
  expect(w.problems()).toEqual([]);
});

test("the benchmark parses, applies and checksums md-bench's stream in the worker", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await page.getByTestId("bench-start").click();
  await expect(page.locator('[data-status="bench-done"]')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId("bench-rate")).toHaveText(/^[\d\s]+ \([\d\s]+–[\d\s]+\) msgs\/s$/);
  const rate = num((await page.getByTestId("bench-rate").innerText()).split("(")[0]);
  expect(rate).toBeGreaterThan(10_000);
  await expect(page.getByTestId("bench-versus")).toHaveText(/^\d+\.\d\d× the native figure/);
  // The same work as md-bench: the same final checksum.
  await expect(page.getByTestId("bench-checksum")).toContainText("the same as md-bench's");
  await expect(status(page, "bench-goal")).toHaveText(/× native/);
  console.log(`market-data bench: ${await page.getByTestId("bench-rate").innerText()}; ${await page.getByTestId("bench-versus").innerText()}`);
  // The same-machine ratio of `cargo xtask bench wasm` is with the native figures.
  await expect(page.locator(".bench-native")).toContainText("WebAssembly in Chromium ÷ native");
  await expect(page.getByTestId("article-figure")).toHaveText("648 k msgs/s");
  await expect(page.getByTestId("debug-build")).toHaveCount(0);
  expect(w.problems()).toEqual([]);
});

test("a bad link is reported and the lab still runs", async ({ page }) => {
  await openLab(page, "?drop=900&delay=0&acts=zz&what=1");
  const e = page.getByTestId("link-error");
  for (const key of ["drop", "delay", "acts", "what"]) await expect(e).toContainText(key);
  await page.getByRole("button", { name: "Step 1 tick" }).click();
  await expect(status(page, "tick")).toHaveText("1");
});

test("project 03, its page, the HFT thread, the article and the lab index link to the lab", async ({ page }) => {
  const project = CONTENT.projects.find((p) => p.slug === "market-data");
  expect(project.lab.path).toBe(LAB);
  await page.goto(url("/work"));
  await appReady(page);
  await expect(page.getByRole("link", { name: project.lab.label }).first()).toHaveAttribute("href", /lab\/market-data$/);
  await page.goto(url("/work/market-data"));
  await appReady(page);
  await expect(page.getByRole("link", { name: project.lab.label })).toHaveAttribute("href", /lab\/market-data$/);
  const thread = CONTENT.threads.find((t) => (t.labs || []).some((l) => l.path === LAB));
  expect(thread.title).toBe("HFT / Low-Latency");
  const post = CONTENT.posts.find((p) => p.lab && p.lab.path === LAB);
  expect(post.author).toBe("Nihal Pandey");
  await page.goto(url(`/writing/${post.slug}`));
  await appReady(page);
  await expect(page.getByRole("link", { name: post.lab.label })).toHaveAttribute("href", /lab\/market-data$/);
  await page.goto(url("/"));
  await appReady(page);
  const lab = thread.labs.find((l) => l.path === LAB);
  await page.getByRole("link", { name: lab.label }).click();
  await expect(page).toHaveURL(url(LAB));
  await expect(page.getByTestId("state-machine")).toBeVisible();
  await page.goto(url("/lab"));
  await appReady(page);
  await expect(page.locator('a[href$="lab/market-data"]').first()).toBeVisible();
  expect(WORDS.runs).toBe("crates/marketdata");
});

for (const width of [360, 375]) {
  test(`at ${width} px the lab fits the screen`, async ({ page }) => {
    await page.setViewportSize({ width, height: 800 });
    await openLab(page, "?seed=5&drop=20&dup=50&reorder=50&corrupt=10&delay=4&cut=3&until=1500");
    await expect(status(page, "tick")).toHaveText(/^1\s500$/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
}
