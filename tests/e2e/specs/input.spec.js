// Motion and input: with `prefers-reduced-motion` nothing animates unasked, and on every page
// (a lab with its live part loaded) every control is reached by the Tab key (a radio group once:
// its radios take the arrow keys) and shows a visible focus ring when it is.
import { test, expect } from "@playwright/test";
import { CONTENT, url, appReady, showLab } from "./lib.js";

/** Tabs presses per page at most: more than any page has controls. */
const MAX_TABS = 400;

async function open(page, path) {
  await page.goto(url(path));
  await appReady(page);
  if (path.startsWith("/lab/")) {
    await showLab(page);
    await page.locator(".lab-live [data-status]").first().waitFor();
  }
}

for (const route of CONTENT.routes) {
  test(`${route.path}: nothing moves with reduced motion`, async ({ browser }) => {
    const context = await browser.newContext({ reducedMotion: "reduce" });
    const page = await context.newPage();
    await open(page, route.path);
    const moving = await page.evaluate(() => {
      const seconds = (list) => Math.max(...list.split(",").map((t) => parseFloat(t) * (t.trim().endsWith("ms") ? 0.001 : 1)));
      const found = [];
      for (const el of document.querySelectorAll("*")) {
        const style = getComputedStyle(el);
        if (seconds(style.transitionDuration) > 0.001 || (style.animationName !== "none" && seconds(style.animationDuration) > 0.001)) {
          found.push(`${el.tagName.toLowerCase()}.${el.className}`);
        }
      }
      const running = document.getAnimations().filter((a) => a.playState === "running" && a.effect?.getComputedTiming().duration > 1);
      return [...found, ...running.map((a) => `animation ${a.animationName ?? a.id}`)];
    });
    expect(moving).toEqual([]);
    await context.close();
  });

  test(`${route.path}: every control is reached by Tab, with a focus ring`, async ({ page }) => {
    await open(page, route.path);
    const controls = await page.evaluate(() => {
      const selector = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, [tabindex]:not([tabindex='-1'])";
      const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
      const all = [...document.querySelectorAll(selector)].filter(visible);
      // A radio group is one stop for Tab (its radios are chosen with the arrow keys).
      all.forEach((el, i) => { el.dataset.control = el.type === "radio" && el.name ? `radio:${el.name}` : String(i); });
      return new Set(all.map((el) => el.dataset.control)).size;
    });
    const reached = new Set();
    const unringed = [];
    await page.locator("body").focus();
    for (let i = 0; i < MAX_TABS && reached.size < controls; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        const target = el.matches("input[type=radio], input[type=checkbox]") && el.nextElementSibling ? el.nextElementSibling : el;
        const style = getComputedStyle(target);
        const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
        return { id: el.dataset.control ?? null, name: `${el.tagName.toLowerCase()} ${el.textContent.trim().slice(0, 30)}`, ring };
      });
      if (!focused) continue;
      if (focused.id !== null) reached.add(focused.id);
      if (!focused.ring) unringed.push(focused.name);
    }
    expect(unringed).toEqual([]);
    const missed = await page.evaluate((seen) =>
      [...document.querySelectorAll("[data-control]")]
        .filter((el) => !seen.includes(el.dataset.control))
        .map((el) => el.outerHTML.slice(0, 120)), [...reached]);
    expect(missed, `${reached.size} of ${controls} controls reached by Tab`).toEqual([]);
  });
}
