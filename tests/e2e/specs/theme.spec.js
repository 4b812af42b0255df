// The theme switch: follows the system on a first visit, switches, persists, and is applied
// before the app runs (no flash of the wrong theme).
import { test, expect } from "@playwright/test";
import { url, appReady } from "./lib.js";

for (const scheme of ["light", "dark"]) {
  test(`first visit follows prefers-color-scheme: ${scheme}`, async ({ browser }) => {
    const context = await browser.newContext({ colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(url("/"));
    await appReady(page);
    await expect(page.locator("html")).toHaveAttribute("data-theme", scheme);
    const toggle = page.getByRole("button", { name: "Dark theme" });
    await expect(toggle).toHaveAttribute("aria-pressed", String(scheme === "dark"));
    await context.close();
  });
}

test("the toggle switches the theme, by mouse and keyboard, and the choice persists", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "light" });
  const page = await context.newPage();
  await page.goto(url("/"));
  await appReady(page);
  const toggle = page.getByRole("button", { name: "Dark theme" });
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const lightBackground = await background();

  await toggle.click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  expect(await background()).not.toBe(lightBackground);

  await page.reload();
  await appReady(page);
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("button", { name: "Dark theme" })).toHaveAttribute("aria-pressed", "true");

  await page.getByRole("button", { name: "Dark theme" }).focus();
  await page.keyboard.press("Space");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await context.close();
});

test("the stored theme applies before the WASM runs", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "light" });
  await context.addInitScript(() => localStorage.setItem("theme", "dark"));
  const page = await context.newPage();
  // Without the app, only the inline script in index.html can have set the theme.
  await page.route("**/*.wasm", (route) => route.abort());
  await page.goto(url("/"));
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await context.close();
});
