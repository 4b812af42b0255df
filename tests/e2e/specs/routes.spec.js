// Deep links on a plain static server: every known route answers 200 with its own title, with and
// without a trailing slash, and without console errors or failed requests; unknown paths get the
// 404 page and nothing else.
import { test, expect } from "@playwright/test";
import { CONTENT, url, watch, appReady } from "./lib.js";

for (const route of CONTENT.routes) {
  for (const variant of route.path === "/" ? ["/"] : [route.path, `${route.path}/`]) {
    test(`deep link ${variant} renders with no errors`, async ({ page }) => {
      const w = watch(page);
      const response = await page.goto(url(variant));
      expect(response?.status()).toBe(200);
      await appReady(page);
      await expect(page).toHaveTitle(route.title);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(page.locator("meta[name=description]")).toHaveAttribute("content", route.description);
      expect(w.problems()).toEqual([]);
    });
  }
}

test("navigation links every page and marks the current one", async ({ page }) => {
  await page.goto(url("/"));
  await appReady(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const route of CONTENT.pages.filter((p) => p.nav)) {
    await nav.getByRole("link", { name: route.nav }).click();
    await expect(page).toHaveURL(url(route.path));
    await expect(page).toHaveTitle(route.title);
    await expect(nav.getByRole("link", { name: route.nav })).toHaveAttribute("aria-current", "page");
  }
});

test("an unknown deep link renders the 404 page with a way home", async ({ page }) => {
  const w = watch(page);
  const response = await page.goto(url("/no/such/page"));
  expect(response?.status()).toBe(404);
  await appReady(page);
  await expect(page).toHaveTitle(CONTENT.not_found.title);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(CONTENT.not_found.heading);
  await expect(page.locator("header.site-header")).toContainText(CONTENT.identity.name);
  // The 404 document itself is the only thing that may fail.
  const expected = `HTTP 404: ${url("/no/such/page")}`;
  expect(w.problems().filter((p) => !p.includes(expected) && !p.includes("404 (Not Found)"))).toEqual([]);
  expect(w.problems().filter((p) => p.startsWith("HTTP"))).toEqual([expected]);
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(CONTENT.intro.title);
});

test("a WASM that fails to load shows a visible message", async ({ page }) => {
  await page.route("**/*.wasm", (route) => route.abort());
  await page.goto(url("/"));
  const message = page.locator("#load-error");
  await expect(message).toBeVisible();
  await expect(message).toContainText("could not start");
  // The pre-rendered page is still there to read.
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(CONTENT.intro.title);
  await expect(page.locator("header.site-header")).toContainText(CONTENT.identity.name);
});
