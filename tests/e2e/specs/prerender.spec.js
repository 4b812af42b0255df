// Pre-rendered pages: every route's HTML already holds the page (read here with JavaScript
// off), with its own head (canonical link, OpenGraph and Twitter tags) and a strict
// Content-Security-Policy; the app then takes that markup's place without a visible change —
// nothing moved, focus and scroll kept — and no policy violation fires on any page.
import { test, expect } from "@playwright/test";
import { CONTENT, url, appReady, watch, showLab, BASE_URL } from "./lib.js";

/** The address a route is served at without a redirect (a directory's, with its slash). */
const served = (path) => url(path === "/" ? "/" : `${path}/`);

/** The page text a reader sees: for a lab, its prose (its live column loads after). */
function readable(route) {
  return route.path.startsWith("/lab/") ? ".lab-prose" : "main";
}

test.describe("without JavaScript", () => {
  for (const route of CONTENT.routes) {
    test(`${route.path} is readable as served`, async ({ page: live, browser }) => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(url(route.path));
      const heading = page.getByRole("heading", { level: 1 });
      await expect(heading).toBeVisible();
      const text = (await page.locator(readable(route)).innerText()).trim();
      expect(text.length).toBeGreaterThan(80);
      await expect(page.locator("head link[rel=canonical]")).toHaveAttribute("href", served(route.path));
      await expect(page.locator("head meta[property='og:title']")).toHaveAttribute("content", route.title);
      await expect(page.locator("head meta[property='og:description']")).toHaveAttribute("content", route.description);
      await expect(page.locator("head meta[name='twitter:card']")).toHaveAttribute("content", "summary");
      const csp = await page.locator("head meta[http-equiv=Content-Security-Policy]").getAttribute("content");
      const scripts = csp.split(";").find((d) => d.trim().startsWith("script-src"));
      expect(scripts).not.toContain("unsafe-inline");
      expect(csp).not.toContain("'unsafe-eval'");
      expect(csp).toContain("object-src 'none'");

      // What the app shows once it runs is what was served.
      await live.goto(url(route.path));
      await appReady(live);
      await expect(live.getByRole("heading", { level: 1 })).toHaveText(await heading.innerText());
      expect((await live.locator(readable(route)).innerText()).trim()).toBe(text);
      await context.close();
    });
  }
});

test("sitemap.xml lists every route and robots.txt points to it", async ({ request }) => {
  const sitemap = await (await request.get(url("/sitemap.xml"))).text();
  const listed = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
  expect(listed.sort()).toEqual(CONTENT.routes.map((r) => served(r.path)).sort());
  const robots = await (await request.get(url("/robots.txt"))).text();
  expect(robots).toContain(`Sitemap: ${url("/sitemap.xml")}`);
  const headers = await (await request.get(url("/_headers"))).text();
  expect(headers).toContain("Cross-Origin-Embedder-Policy: require-corp");
});

/** Holds the site's module back so the served page is on screen, measured, before the app starts. */
async function holdModule(page) {
  await page.route("**/site-*_bg.wasm", async (route) => {
    await new Promise((done) => setTimeout(done, 800));
    await route.continue();
  });
  await page.addInitScript(() => {
    window.__shifts = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
}

/** Where the page's landmarks and headings are drawn. */
async function layout(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("header, main, footer, h1, h2, h3, p")].map((e) => {
      const r = e.getBoundingClientRect();
      return `${e.tagName} ${r.x} ${r.y} ${r.width} ${r.height}`;
    }),
  );
}

test("the app takes the served page's place: nothing moves, no layout shift, focus stays", async ({ page }) => {
  await holdModule(page);
  await page.goto(url("/"));
  await page.evaluate(() => {
    document.querySelector("h1").dataset.served = "yes";
  });
  // A visitor who has already tabbed into the page keeps their place.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement.textContent.trim());
  expect(focused.length).toBeGreaterThan(0);
  const before = await layout(page);
  await appReady(page);
  // The app's own nodes now (the served ones are gone), drawn exactly where those were.
  await expect(page.locator("h1")).not.toHaveAttribute("data-served", "yes");
  expect(await layout(page)).toEqual(before);
  expect(await page.evaluate(() => window.__shifts)).toBe(0);
  expect(await page.evaluate(() => document.activeElement.textContent.trim())).toBe(focused);
  // And it is live: the theme switch works.
  const toggle = page.getByRole("button", { name: "Dark theme" });
  const pressed = await toggle.getAttribute("aria-pressed");
  await toggle.click();
  await expect(toggle).not.toHaveAttribute("aria-pressed", pressed);
});

test("a page scrolled before the app starts stays where it was", async ({ page }) => {
  await holdModule(page);
  await page.goto(url("/"));
  await page.locator("footer").scrollIntoViewIfNeeded();
  await page.waitForTimeout(100);
  const scrolled = await page.evaluate(() => window.scrollY);
  expect(scrolled).toBeGreaterThan(0);
  const footer = await page.locator("footer").boundingBox();
  await appReady(page);
  expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
  expect(await page.locator("footer").boundingBox()).toEqual(footer);
  expect(await page.evaluate(() => window.__shifts)).toBe(0);
});

test("no page violates its Content-Security-Policy", async ({ page }) => {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__violations.push(`${e.violatedDirective}: ${e.blockedURI}`);
    });
  });
  const w = watch(page);
  const paths = [...CONTENT.routes.map((r) => r.path), "/no/such/page"];
  for (const path of paths) {
    await page.goto(url(path));
    await appReady(page);
    if (path.startsWith("/lab/")) {
      // The lab's own module and its worker load under the same policy.
      await showLab(page);
      await page.locator(".lab-live [data-status]").first().waitFor();
    }
    expect(await page.evaluate(() => window.__violations), path).toEqual([]);
  }
  expect(w.problems().filter((p) => !p.startsWith("HTTP 404") && !p.includes("404 (Not Found)"))).toEqual([]);
  // A lab's source page is a static file under the same policy.
  const source = CONTENT.labs[0].sources[0];
  await page.goto(new URL(`source/${source.slug}.html`, BASE_URL).toString());
  expect(await page.evaluate(() => window.__violations)).toEqual([]);
});
