// Shared helpers: where the built sites are served, the content they were built from, and a
// watcher that records console errors and failed requests on a page.
import fs from "node:fs";
import path from "node:path";

export const OUT = process.env.E2E_OUT ?? path.resolve("../../target/e2e");
export const BASE_URL = required("E2E_BASE_URL");
export const SUB_URL = required("E2E_SUB_URL");
export const CONTENT = JSON.parse(fs.readFileSync(path.join(OUT, "content.json"), "utf8"));

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite through \`cargo xtask test\``);
  return value;
}

/** An absolute URL for a site route under `base` ("http://host:port/" or ".../sub/"). */
export function url(route, base = BASE_URL) {
  return new URL(route.replace(/^\//, ""), base).toString();
}

/** Records what went wrong on `page`; `problems()` lists it. A Content-Security-Policy
 * violation is a console error; a request that leaves the site's origin is a problem too (fonts,
 * images and scripts are all self-hosted). */
export function watch(page) {
  const seen = [];
  page.on("request", (req) => {
    const target = new URL(req.url());
    if (!["http:", "https:"].includes(target.protocol)) return;
    if (target.origin !== new URL(BASE_URL).origin && target.origin !== new URL(SUB_URL).origin) {
      seen.push(`third-party request: ${req.url()}`);
    }
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") seen.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => seen.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => {
    const error = req.failure()?.errorText;
    // A navigation cancels requests still in flight (the favicon, typically): not a failure.
    if (error === "net::ERR_ABORTED") return;
    seen.push(`failed: ${req.url()} (${error})`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) seen.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { problems: () => seen.slice() };
}

/** Waits until the app runs: it has taken the pre-rendered page's place (or the 404 page's)
 * and says so on `<html data-app="live">`. */
export async function appReady(page) {
  await page.locator("html[data-app=live]").waitFor({ state: "attached" });
  await page.locator("header.site-header").waitFor();
}

/** Brings a lab page's live column into view: a lab's engine loads when its column nears the
 * viewport (at once on a wide screen, on scrolling on a phone). */
export async function showLab(page) {
  await page.locator(".lab-live").scrollIntoViewIfNeeded();
}
