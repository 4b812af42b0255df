// The same site built with `--public-url /sub/` works under that sub-path: assets, links, routes,
// deep links and the 404 page.
import { test, expect } from "@playwright/test";
import { CONTENT, SUB_URL, url, watch, appReady } from "./lib.js";

test("the sub-path build serves every route under its base", async ({ page }) => {
  const w = watch(page);
  const base = new URL(SUB_URL).pathname;
  await page.goto(SUB_URL);
  await appReady(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(CONTENT.intro.title);
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const route of CONTENT.pages.filter((p) => p.nav)) {
    const link = nav.getByRole("link", { name: route.nav });
    const href = await link.getAttribute("href");
    expect(href?.startsWith(base)).toBe(true);
    await link.click();
    await expect(page).toHaveURL(url(route.path, SUB_URL));
    await expect(page).toHaveTitle(route.title);
  }
  for (const route of CONTENT.routes) {
    const response = await page.goto(url(route.path, SUB_URL));
    expect(response?.status()).toBe(200);
    await appReady(page);
    await expect(page).toHaveTitle(route.title);
  }
  expect(w.problems()).toEqual([]);
});

test("an unknown path under the sub-path gets the 404 page", async ({ page }) => {
  const response = await page.goto(url("/missing/page", SUB_URL));
  expect(response?.status()).toBe(404);
  await appReady(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(CONTENT.not_found.heading);
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page).toHaveURL(SUB_URL);
});
