// The Raft lab (/lab/raft) in Chromium: the status strip's contract (tick, term, leader, digest),
// elections and crashes, a minority partition, replay by link to raft-sim's own digests (computed
// by `cargo xtask test` into target/e2e/raft-digests.json), the KV client's verdict, the chaos
// sweep in its worker, the keyboard, and bad links.
import fs from "node:fs";
import path from "node:path";
import { test, expect } from "@playwright/test";
import { CONTENT, OUT, url, watch, appReady, showLab } from "./lib.js";

const CASES = JSON.parse(fs.readFileSync(path.join(OUT, "raft-digests.json"), "utf8"));
const status = (page, id) => page.locator(`[data-status="${id}"]`);
const HEX16 = /^[0-9a-f]{16}$/;

async function openLab(page, query = "") {
  await page.goto(url(`/lab/raft${query}`));
  await appReady(page);
  await showLab(page);
  await expect(page.getByTestId("ring")).toBeVisible();
}

function caseQuery(c) {
  let q = `?seed=${c.seed}&nodes=${c.nodes}&until=${c.until}`;
  if (!c.pre_vote) q += "&pv=off";
  if (c.faults) q += `&faults=${encodeURIComponent(c.faults)}`;
  return q;
}

/** Plays at `speed` ticks/s until `done()` holds (or the timeout), then pauses. */
async function playUntil(page, speed, done, timeout = 20_000) {
  await page.locator("#lab-rate").selectOption(String(speed));
  await page.getByRole("button", { name: "Play" }).click();
  await expect.poll(done, { timeout }).toBe(true);
  await page.getByRole("button", { name: "Pause" }).click();
}

const commitOf = async (page, id) => {
  const text = await page.locator(`[data-node="${id}"] .node-commit`).innerText();
  return Number(text.match(/\d+/)[0]);
};

test("a leader is elected, and the status strip and the ring agree", async ({ page }) => {
  const w = watch(page);
  await openLab(page, "?seed=1&nodes=5&until=100");
  await expect(status(page, "tick")).toHaveText("100");
  await expect(status(page, "leader")).toHaveText("node 3");
  await expect(status(page, "term")).toHaveText("1");
  await expect(page.getByRole("button", { name: /Node 3, leader, term 1/ })).toBeVisible();
  await expect(page.getByRole("button", { name: /Node 0, follower, term 1/ })).toBeVisible();
  await expect(status(page, "digest")).toHaveText(HEX16);
  for (const inv of ["election_safety", "leader_append_only", "log_matching", "leader_completeness", "state_machine_safety"]) {
    await expect(status(page, `invariant-${inv}`)).toContainText("holding");
  }
  // One step is one tick; the inspector shows the selected node's state and actions.
  await page.getByRole("button", { name: "Step" }).click();
  await expect(status(page, "tick")).toHaveText("101");
  await page.getByRole("button", { name: /Node 3, leader/ }).click();
  await expect(page.getByTestId("inspector-node")).toHaveText("Node 3");
  await expect(page.getByRole("columnheader", { name: "nextIndex" })).toBeVisible();
  for (const name of ["Crash", "Restart", "Time out now"]) {
    await expect(page.getByRole("button", { name, exact: true })).toBeVisible();
  }
  expect(w.problems()).toEqual([]);
});

test("crashing the leader yields a new leader with a higher term", async ({ page }) => {
  const w = watch(page);
  await openLab(page, "?seed=1&nodes=5&until=150");
  await page.getByRole("button", { name: /Node 3, leader, term 1/ }).click();
  await page.getByRole("button", { name: "Crash", exact: true }).click();
  await expect(page.getByRole("button", { name: /Node 3, crashed/ })).toBeVisible();
  await expect(status(page, "leader")).toHaveText("none");
  await playUntil(page, 1000, async () => {
    const leader = await status(page, "leader").innerText();
    return leader !== "none" && leader !== "node 3";
  });
  expect(Number(await status(page, "term").innerText())).toBeGreaterThan(1);
  const leader = (await status(page, "leader").innerText()).replace("node ", "");
  await expect(page.getByRole("button", { name: new RegExp(`Node ${leader}, leader, term [2-9]`) })).toBeVisible();
  expect(w.problems()).toEqual([]);
});

test("a minority partition cannot commit while the majority can", async ({ page }) => {
  const w = watch(page);
  const faults = JSON.stringify({ events: [{ at: 150, kind: "partition", groups: [[3, 4], [0, 1, 2]] }] });
  await openLab(page, `?seed=1&nodes=5&until=250&faults=${encodeURIComponent(faults)}`);
  const minority = await commitOf(page, 3);
  const majority = await commitOf(page, 0);
  await playUntil(page, 1000, async () => Number(await status(page, "tick").innerText()) >= 600);
  expect(await commitOf(page, 3)).toBe(minority);
  expect(await commitOf(page, 4)).toBe(minority);
  expect(await commitOf(page, 0)).toBeGreaterThan(majority + 10);
  expect(Number((await status(page, "leader").innerText()).replace("node ", ""))).toBeLessThanOrEqual(2);
  expect(w.problems()).toEqual([]);
});

for (const c of CASES) {
  test(`the link of case "${c.name}" replays to raft-sim's digest`, async ({ page }) => {
    const w = watch(page);
    await openLab(page, caseQuery(c));
    await expect(status(page, "tick")).toHaveText(String(c.until));
    await expect(status(page, "digest")).toHaveText(c.digest);
    expect(w.problems()).toEqual([]);
  });
}

test("a crash clicked at tick 150 becomes a schedule event that the shared link replays", async ({ page }) => {
  const w = watch(page);
  const expected = CASES.find((c) => c.name === "crash-clicked");
  await openLab(page, "?seed=1&nodes=5&until=150");
  await page.getByRole("button", { name: /Node 3, leader/ }).click();
  await page.getByRole("button", { name: "Crash", exact: true }).click();
  await page.getByTestId("share").click();
  const link = await page.getByTestId("share-link").inputValue();
  expect(link).toContain("faults=");
  // The same run, opened at tick 300: raft-sim's digest of the crash at 150, to tick 300.
  await page.goto(link.replace("until=150", "until=300"));
  await appReady(page);
  await expect(status(page, "tick")).toHaveText("300");
  await expect(page.getByRole("button", { name: /Node 3, crashed/ })).toBeVisible();
  await expect(status(page, "digest")).toHaveText(expected.digest);
  expect(w.problems()).toEqual([]);
});

test("the visitor's KV requests go through a client, and the history is linearizable", async ({ page }) => {
  const w = watch(page);
  await openLab(page, "?seed=1&nodes=5&until=100");
  await page.locator("#raft-key").selectOption("2");
  await page.getByRole("button", { name: "Put", exact: true }).click();
  await page.getByRole("button", { name: "Get", exact: true }).click();
  await playUntil(page, 200, async () => Number(await status(page, "tick").innerText()) >= 160);
  await expect(page.locator(".raft-history .lanes")).toContainText("you");
  await expect(status(page, "linearizability")).toContainText("linearizable");
  await expect(status(page, "linearizability")).not.toContainText("not");
  expect(w.problems()).toEqual([]);
});

test("the timeline seeks back and acting in the past forks the schedule", async ({ page }) => {
  const w = watch(page);
  await openLab(page, "?seed=1&nodes=5&until=300");
  await page.locator("#raft-timeline").evaluate((el) => {
    el.value = "120";
    el.dispatchEvent(new Event("change", { bubbles: true }));
  });
  await expect(status(page, "tick")).toHaveText("120");
  await expect(page.getByTestId("timeline-value")).toHaveText("tick 120 of 300");
  await page.getByRole("button", { name: /Node 1,/ }).click();
  await page.getByRole("button", { name: "Crash", exact: true }).click();
  await expect(page.getByTestId("timeline-value")).toHaveText("tick 120 of 120");
  await expect(page.getByTestId("native-command")).toContainText("--faults schedule.json");
  expect(w.problems()).toEqual([]);
});

test("the chaos sweep runs in a worker, reports no violation, and the page stays responsive", async ({ page }) => {
  const w = watch(page);
  await openLab(page, "?seed=1&nodes=5&until=50");
  await page.locator("#raft-chaos-seeds").fill("300");
  await page.getByTestId("chaos-start").click();
  // While the worker sweeps, the page still steps the cluster.
  await page.getByRole("button", { name: "Step" }).click();
  await expect(status(page, "tick")).toHaveText("51");
  await expect(status(page, "chaos")).toHaveText("300 seeds, 0 violations", { timeout: 60_000 });
  const dps = Number((await page.getByTestId("chaos-deliveries-per-second").innerText()).replace(/[^0-9]/g, ""));
  console.log(`chaos: 300 seeds, ${dps} deliveries/s in this browser`);
  expect(dps).toBeGreaterThan(0);
  await expect(page.getByTestId("chaos-versus")).toHaveText(/^Deliveries per second: \d+\.\d\d× the native figure \(.+ deliveries\/s\)\.$/);
  await expect(page.getByTestId("debug-build")).toHaveCount(0);
  expect(w.problems()).toEqual([]);
});

test("the keyboard plays, steps, changes speed and lists its shortcuts", async ({ page }) => {
  const w = watch(page);
  await openLab(page, "?seed=1&until=10");
  await page.locator("h1").click();
  await page.keyboard.press("ArrowRight");
  await expect(status(page, "tick")).toHaveText("11");
  await page.keyboard.press("+");
  await expect(page.locator("#lab-rate")).toHaveValue("20");
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeHidden();
  await page.keyboard.press(" ");
  await expect(page.getByTestId("play")).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press(" ");
  await expect(page.getByTestId("play")).toHaveAttribute("aria-pressed", "false");
  expect(w.problems()).toEqual([]);
});

test("bad link parameters are reported and fall back to defaults", async ({ page }) => {
  const w = watch(page);
  await openLab(page, "?nodes=99&until=abc&bogus=1&faults=%7Bnope");
  const alert = page.getByTestId("link-error");
  await expect(alert).toContainText("nodes must be between 3 and 7");
  await expect(alert).toContainText("unknown parameter bogus");
  await expect(alert).toContainText("the schedule does not parse");
  await expect(status(page, "tick")).toHaveText("0");
  await expect(page.locator(".raft-node")).toHaveCount(5);
  expect(w.problems()).toEqual([]);
});

test("at 375 px the ring and the controls fit", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await openLab(page, "?seed=1&until=100");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const leader = page.getByRole("button", { name: /Node 3, leader/ });
  await leader.scrollIntoViewIfNeeded();
  await expect(leader).toBeInViewport();
  const box = await leader.boundingBox();
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(375);
});

test("the home page's System Design thread and the case study link to the lab", async ({ page }) => {
  const thread = CONTENT.threads.find((t) => (t.labs || []).some((l) => l.path === "/lab/raft"));
  const lab = thread.labs.find((l) => l.path === "/lab/raft");
  await page.goto(url("/"));
  await appReady(page);
  await page.getByRole("link", { name: lab.label }).click();
  await expect(page).toHaveURL(url("/lab/raft"));
  await expect(page.getByTestId("ring")).toBeVisible();
  const study = CONTENT.case_studies.find((c) => c.lab);
  await page.goto(url(`/case-studies/${study.slug}`));
  await appReady(page);
  await expect(page.getByRole("link", { name: study.lab.label })).toHaveAttribute("href", /lab\/raft$/);
});

test("a scenario opens paused at its tick and says what to watch for", async ({ page }) => {
  const w = watch(page);
  await openLab(page);
  await page.locator('[data-preset="leader-crash"]').click();
  await expect(status(page, "tick")).toHaveText("140");
  await expect(page.locator(".raft-watch")).toContainText("pre-vote round");
  await expect(page.getByTestId("play")).toHaveAttribute("aria-pressed", "false");
  await expect(status(page, "digest")).toHaveText(HEX16);
  expect(w.problems()).toEqual([]);
});
