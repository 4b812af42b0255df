// The labs as a set, on the kit: /lab lists every lab with what it runs, an unknown lab is the 404
// page, each lab page fetches only its own module (and no other page fetches any), the player
// runs one loop at a time, and a session file can be opened within its size bound.
import { test, expect } from "@playwright/test";
import { CONTENT, url, watch, appReady } from "./lib.js";

/** Digits of a figure as shown (thin-space grouped). */
const num = (text) => Number(String(text).replace(/[^0-9]/g, ""));

/** The lab modules (`lab-<slug>….js` / `.wasm`) a page requested, by file name. */
function labRequests(page) {
  const seen = [];
  page.on("request", (req) => {
    const name = new URL(req.url()).pathname.split("/").pop();
    if (/^lab-.*\.(js|wasm)$/.test(name)) seen.push(name);
  });
  return seen;
}

test("the lab index lists every lab, with what it runs, and links it", async ({ page }) => {
  const w = watch(page);
  await page.goto(url("/"));
  await appReady(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Lab" }).click();
  await expect(page).toHaveURL(url("/lab"));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(CONTENT.lab_index.heading);
  const items = page.getByTestId("lab-index").locator("li");
  await expect(items).toHaveCount(CONTENT.labs.length);
  for (const lab of CONTENT.labs) {
    const item = items.filter({ hasText: lab.title });
    await expect(item).toContainText(lab.summary);
    await expect(item.locator("code")).toHaveText(lab.runs);
  }
  const first = CONTENT.labs[0];
  await items.first().getByRole("link", { name: first.title }).click();
  await expect(page).toHaveURL(url(`/lab/${first.slug}`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(first.heading);
  expect(w.problems()).toEqual([]);
});

test("an unknown lab is the 404 page", async ({ page }) => {
  const response = await page.goto(url("/lab/no-such-lab"));
  expect(response?.status()).toBe(404);
  await appReady(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(CONTENT.not_found.heading);
});

test("home and the lab index fetch no lab module", async ({ page }) => {
  const requested = labRequests(page);
  for (const route of ["/", "/lab", "/work"]) {
    await page.goto(url(route));
    await appReady(page);
    await page.waitForLoadState("networkidle");
  }
  expect(requested).toEqual([]);
});

for (const lab of CONTENT.labs) {
  test(`/lab/${lab.slug} fetches its own module and no other lab's`, async ({ page }) => {
    const requested = labRequests(page);
    await page.goto(url(`/lab/${lab.slug}`));
    await appReady(page);
    await expect(page.locator(".lab-statusbar")).toBeVisible();
    await page.waitForLoadState("networkidle");
    const own = `lab-${lab.slug}`;
    expect(requested).toContain(`${own}.js`);
    expect(requested).toContain(`${own}_bg.wasm`);
    // A lab may also start its own worker (`lab-<slug>-worker`).
    const mine = (name) => [`${own}.`, `${own}_`, `${own}-worker`].some((p) => name.startsWith(p));
    const others = requested.filter((name) => !mine(name));
    expect(others).toEqual([]);
  });
}

test("the player runs one loop: pause and play inside one frame do not double the speed", async ({ page }) => {
  const w = watch(page);
  await page.goto(url("/lab/orderbook?seed=3&rate=1000"));
  await appReady(page);
  await expect(page.getByTestId("ladder")).toBeVisible();
  const time = () => page.locator('[data-status="time"]').innerText().then(num);
  const before = await time();
  // Play, pause and play again in one task: one animation frame cannot run in between.
  await page.evaluate(() => {
    const play = document.querySelector('[data-testid="play"]');
    play.click();
    play.click();
    play.click();
  });
  await expect(page.getByTestId("play")).toHaveAttribute("aria-pressed", "true");
  const start = Date.now();
  await page.waitForTimeout(3000);
  await page.getByTestId("play").click();
  const seconds = (Date.now() - start) / 1000;
  await expect(page.getByTestId("play")).toHaveAttribute("aria-pressed", "false");
  const applied = (await time()) - before;
  console.log(`player: ${applied} commands in ${seconds.toFixed(1)} s at 1000/s`);
  // One loop applies at most 1000 per second; two would apply about twice that.
  expect(applied).toBeGreaterThan(0);
  expect(applied).toBeLessThanOrEqual(1000 * seconds * 1.2);
  expect(w.problems()).toEqual([]);
});

test("a session file opens into the import box; an oversized one is refused with its size", async ({ page }) => {
  const w = watch(page);
  await page.goto(url("/lab/orderbook"));
  await appReady(page);
  await expect(page.getByTestId("ladder")).toBeVisible();
  const input = page.locator(".file-open input[type=file]");
  await input.setInputFiles({ name: "session.txt", mimeType: "text/plain", buffer: Buffer.from("LIMIT 1 SELL 101 5\nLIMIT 2 BUY 101 2\n") });
  await expect(page.getByTestId("io-result")).toContainText("session.txt: 2 lines read");
  await expect(page.locator("#lab-session")).toHaveValue(/LIMIT 2 BUY 101 2/);
  await page.getByTestId("import").click();
  await expect(page.getByTestId("io-result")).toContainText("Imported 2 commands");
  await expect(page.getByTestId("tape").locator("tbody tr")).toHaveCount(1);

  const before = await page.locator("#lab-session").inputValue();
  await input.setInputFiles({ name: "huge.txt", mimeType: "text/plain", buffer: Buffer.alloc(9 * 1024 * 1024, "a") });
  await expect(page.getByTestId("io-result")).toContainText("huge.txt is 9\u2009437\u2009184 bytes");
  expect(await page.locator("#lab-session").inputValue()).toBe(before);
  expect(w.problems()).toEqual([]);
});
