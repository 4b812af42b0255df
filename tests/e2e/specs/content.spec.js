// Build-time content: the highlighted contract in both themes, project and case-study pages,
// writing newest first with credit and links out, the site feed, and sanitized imports.
import { test, expect } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import { CONTENT, OUT, BASE_URL, url, watch, appReady } from "./lib.js";

test("the contract snippet is highlighted, with different colours per theme", async ({ browser }) => {
  const colours = {};
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(url("/"));
    await appReady(page);
    const code = page.locator("#contract .code-body");
    await expect(code).toContainText("contract StakingRewards");
    const keyword = code.locator("[class*='hl-keyword']").first();
    await expect(keyword).toBeVisible();
    colours[scheme] = await keyword.evaluate((el) => getComputedStyle(el).color);
    await context.close();
  }
  expect(colours.light).not.toBe(colours.dark);
});

for (const project of CONTENT.projects) {
  test(`project page /work/${project.slug} renders its write-up`, async ({ page }) => {
    const w = watch(page);
    await page.goto(url("/work"));
    await appReady(page);
    await page.getByRole("link", { name: project.title }).click();
    await expect(page).toHaveURL(url(`/work/${project.slug}`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(project.title);
    expect(await page.locator(".prose h2").count()).toBeGreaterThanOrEqual(2);
    await expect(page.locator(".card-stack")).toHaveText(project.stack);
    expect(w.problems()).toEqual([]);
  });
}

for (const study of CONTENT.case_studies) {
  test(`case study /case-studies/${study.slug} shows its claims, diagram and write-up`, async ({ page }) => {
    await page.goto(url("/case-studies"));
    await appReady(page);
    await page.getByRole("link", { name: study.title }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(study.title);
    for (const claim of study.claims) {
      await expect(page.locator(".claim", { hasText: claim.label })).toContainText(claim.value);
    }
    await expect(page.locator(".diagram svg")).toBeVisible();
    expect(await page.locator(".prose h2").count()).toBeGreaterThanOrEqual(3);
  });
}

test("writing lists posts newest first, credits other authors and links to the originals", async ({ page }) => {
  await page.goto(url("/writing"));
  await appReady(page);
  const times = await page.locator(".post-card time").evaluateAll((ts) => ts.map((t) => t.getAttribute("datetime")));
  expect(times.length).toBe(CONTENT.posts.length);
  expect([...times].sort().reverse()).toEqual(times);
  for (const post of CONTENT.posts.filter((p) => !p.by_owner)) {
    const card = page.locator(".post-card", { hasText: post.title });
    await expect(card).toContainText(`by ${post.author}`);
    await expect(page.getByRole("heading", { name: "Recommended reading" })).toBeVisible();
  }
  const first = CONTENT.posts[0];
  await page.getByRole("link", { name: first.title }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(first.title);
  const out = page.locator("a.button", { hasText: "Read the article" });
  await expect(out).toHaveAttribute("href", first.link);
  await expect(out).toHaveAttribute("rel", /noopener/);
  if (!first.by_owner) await expect(page.locator(".credit")).toContainText(first.author);
});

test("home shows the latest two posts", async ({ page }) => {
  await page.goto(url("/"));
  await appReady(page);
  const titles = await page.locator("#writing .post-card .card-title").allTextContents();
  expect(titles).toEqual(CONTENT.posts.slice(0, 2).map((p) => p.title));
});

test("the site feed lists the case studies and never other people's posts", async ({ request }) => {
  const response = await request.get(new URL("feed.xml", BASE_URL).toString());
  expect(response.status()).toBe(200);
  const xml = await response.text();
  for (const study of CONTENT.case_studies) expect(xml).toContain(study.title);
  for (const post of CONTENT.posts.filter((p) => !p.by_owner)) expect(xml).not.toContain(post.link);
});

test("an imported hostile feed renders no script", async ({ page }) => {
  const entries = JSON.parse(fs.readFileSync(path.join(OUT, "hostile.json"), "utf8"));
  expect(entries.length).toBeGreaterThan(0);
  const dialogs = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await page.route("**/*", (route) => route.abort());
  const body = entries.map((e) => `<article>${e.body_html}</article>`).join("\n");
  await page.setContent(`<!DOCTYPE html><html><body>${body}</body></html>`);
  await page.waitForTimeout(300);
  expect(dialogs).toEqual([]);
  expect(await page.locator("script, iframe, object, embed, style").count()).toBe(0);
  const risky = await page.evaluate(() =>
    [...document.querySelectorAll("*")].flatMap((el) =>
      [...el.attributes]
        .filter((a) => /^on/i.test(a.name) || /^\s*(javascript|vbscript|data):/i.test(a.value))
        .map((a) => `${el.tagName}[${a.name}=${a.value}]`),
    ),
  );
  expect(risky).toEqual([]);
});
