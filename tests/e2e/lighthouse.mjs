// The Lighthouse gate, run by `cargo xtask test` against the root build: Lighthouse 12's
// default (mobile) preset in headless Debian Chromium, on home, every lab, a project page, the
// case study and a writing page. Performance must be at least 95 — the median of 3 runs on home,
// one lab and the case study, one run elsewhere — and accessibility, best practices and SEO 100
// on every run. Prints every score; writes them to $E2E_OUT/lighthouse.json.
//
// usage: E2E_BASE_URL=http://127.0.0.1:PORT/ E2E_OUT=… node lighthouse.mjs
import fs from "node:fs";
import path from "node:path";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const PERFORMANCE_MIN = 95;
const OTHERS_MIN = 100;
const REPEATED_RUNS = 3;

const base = process.env.E2E_BASE_URL;
const out = process.env.E2E_OUT;
if (!base || !out) throw new Error("E2E_BASE_URL and E2E_OUT must be set (cargo xtask test sets them)");
const content = JSON.parse(fs.readFileSync(path.join(out, "content.json"), "utf8"));

// Each page at the address it is served at without a redirect (a directory's, with its slash).
const served = (route) => new URL(route === "/" ? "" : `${route.replace(/^\//, "")}/`, base).toString();
const labs = content.labs.map((lab) => `/lab/${lab.slug}`);
const plan = [
  { route: "/", runs: REPEATED_RUNS },
  { route: labs[0], runs: REPEATED_RUNS },
  { route: `/case-studies/${content.case_studies[0].slug}`, runs: REPEATED_RUNS },
  ...labs.slice(1).map((route) => ({ route, runs: 1 })),
  { route: `/work/${content.projects[0].slug}`, runs: 1 },
  { route: `/writing/${content.posts[0].slug}`, runs: 1 },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
const results = [];
const failures = [];
try {
  for (const { route, runs } of plan) {
    const scores = [];
    // A page measured once that misses the bar is measured twice more and judged on the median:
    // one run on this shared 2-core machine can catch a stall no page controls.
    const enough = () => scores.length >= runs && (scores.length >= REPEATED_RUNS || scores[0].performance >= PERFORMANCE_MIN);
    while (!enough()) {
      const { lhr } = await lighthouse(served(route), { port: chrome.port, logLevel: "error", output: "json" });
      if (lhr.runtimeError) throw new Error(`${route}: ${lhr.runtimeError.message}`);
      const score = (id) => Math.round(lhr.categories[id].score * 100);
      const run = {
        performance: score("performance"),
        accessibility: score("accessibility"),
        "best-practices": score("best-practices"),
        seo: score("seo"),
        lcp_ms: Math.round(lhr.audits["largest-contentful-paint"].numericValue),
        tbt_ms: Math.round(lhr.audits["total-blocking-time"].numericValue),
        cls: lhr.audits["cumulative-layout-shift"].numericValue,
      };
      scores.push(run);
      for (const id of ["accessibility", "best-practices", "seo"]) {
        if (run[id] < OTHERS_MIN) {
          const failed = Object.values(lhr.audits)
            .filter((a) => a.score !== null && a.score < 1 && ["binary", "numeric"].includes(a.scoreDisplayMode))
            .filter((a) => lhr.categories[id].auditRefs.some((r) => r.id === a.id && r.weight > 0))
            .map((a) => a.id);
          failures.push(`${route}: ${id} ${run[id]} < ${OTHERS_MIN} (${failed.join(", ")})`);
        }
      }
    }
    const performance = median(scores.map((s) => s.performance));
    const spread = scores.map((s) => s.performance);
    if (performance < PERFORMANCE_MIN) failures.push(`${route}: performance ${performance} < ${PERFORMANCE_MIN}`);
    results.push({ route, runs: scores.length, performance, performance_runs: spread, scores });
    const last = scores[scores.length - 1];
    console.log(
      `lighthouse: ${route.padEnd(40)} performance ${String(performance).padStart(3)}` +
        (scores.length > 1 ? ` (median of ${spread.join(", ")})` : "") +
        `  a11y ${last.accessibility}  best practices ${last["best-practices"]}  SEO ${last.seo}` +
        `  LCP ${median(scores.map((s) => s.lcp_ms))} ms  TBT ${median(scores.map((s) => s.tbt_ms))} ms`,
    );
  }
} finally {
  await chrome.kill();
}
fs.writeFileSync(path.join(out, "lighthouse.json"), JSON.stringify({ preset: "mobile (Lighthouse default)", results }, null, 2));
if (failures.length) {
  console.error(`lighthouse: ${failures.length} gate(s) failed:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log("lighthouse: every page meets the gate");
