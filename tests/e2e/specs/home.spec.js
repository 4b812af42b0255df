// The home page shows every section with the content it was built from.
import { test, expect } from "@playwright/test";
import { CONTENT, url, watch, appReady } from "./lib.js";

test("every home section renders its content", async ({ page }) => {
  const w = watch(page);
  await page.goto(url("/"));
  await appReady(page);

  const header = page.locator("header.site-header");
  await expect(header).toContainText(CONTENT.identity.name);
  await expect(header).toContainText(CONTENT.identity.tagline);
  await expect(header.locator(".mark")).toHaveText(CONTENT.identity.initials);

  const intro = page.locator("section.intro");
  await expect(intro.getByRole("heading", { level: 1 })).toHaveText(CONTENT.intro.title);
  await expect(intro).toContainText(CONTENT.intro.label);
  for (const tag of CONTENT.intro.tags) await expect(intro.locator(".chip", { hasText: tag })).toHaveCount(1);
  for (const fact of CONTENT.intro.facts) {
    await expect(intro.locator(".fact", { hasText: fact.label })).toContainText(fact.value);
  }

  const threads = page.locator("#threads article");
  await expect(threads).toHaveCount(CONTENT.threads.length);
  for (const [i, thread] of CONTENT.threads.entries()) {
    const card = threads.nth(i);
    await expect(card.getByRole("heading", { level: 3 })).toHaveText(thread.title);
    await expect(card.locator(".points li")).toHaveText(thread.points);
  }

  const groups = page.locator("#toolkit .tool-group");
  await expect(groups).toHaveCount(CONTENT.toolkit.length);
  for (const [i, group] of CONTENT.toolkit.entries()) {
    await expect(groups.nth(i).locator("h3")).toHaveText(group.name);
    await expect(groups.nth(i).locator(".chip")).toHaveText(group.items);
  }

  const cards = page.locator("#work .project-card");
  await expect(cards).toHaveCount(CONTENT.projects.length);
  for (const [i, project] of CONTENT.projects.entries()) {
    const card = cards.nth(i);
    await expect(card.locator(".card-number")).toHaveText(project.number);
    await expect(card.getByRole("heading", { level: 3 })).toHaveText(project.title);
    await expect(card.locator(".featured-mark")).toHaveCount(project.featured ? 1 : 0);
    await expect(card.locator(".chip")).toHaveText(project.tags);
    await expect(card.locator(".card-stack")).toHaveText(project.stack);
  }

  const focus = page.locator("#focus .focus-area");
  await expect(focus).toHaveCount(CONTENT.focus.length);
  for (const [i, area] of CONTENT.focus.entries()) {
    await expect(focus.nth(i).locator("h3")).toHaveText(area.title);
    await expect(focus.nth(i).locator("p")).toHaveText(area.line);
  }

  // Profile links appear only when the content has some.
  await expect(page.locator(".profile-links a")).toHaveCount(CONTENT.identity.links.length);
  expect(w.problems()).toEqual([]);
});

test("headings are in order and landmarks are present", async ({ page }) => {
  await page.goto(url("/"));
  await appReady(page);
  const levels = await page.$$eval("h1, h2, h3, h4, h5, h6", (hs) => hs.map((h) => Number(h.tagName[1])));
  expect(levels[0]).toBe(1);
  expect(levels.filter((l) => l === 1)).toHaveLength(1);
  for (let i = 1; i < levels.length; i++) expect(levels[i] - levels[i - 1]).toBeLessThanOrEqual(1);
  await expect(page.getByRole("banner")).toHaveCount(1);
  await expect(page.getByRole("main")).toHaveCount(1);
  await expect(page.getByRole("contentinfo")).toHaveCount(1);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
});

test("the skip link moves focus to the main content", async ({ page }) => {
  await page.goto(url("/"));
  await appReady(page);
  await page.keyboard.press("Tab");
  const skip = page.locator(".skip-link");
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("main")).toBeFocused();
  expect(new URL(page.url()).pathname).toBe("/");
});
