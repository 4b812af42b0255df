// Screenshots of home in both themes at phone and desktop widths, saved under target/e2e/ for a
// person to look at; the test also checks that nothing overflows sideways.
import { test, expect } from "@playwright/test";
import path from "node:path";
import { OUT, url, appReady, showLab } from "./lib.js";

for (const scheme of ["light", "dark"]) {
  for (const width of [375, 1280]) {
    test(`home screenshot ${scheme} ${width}px`, async ({ browser }) => {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(url("/"));
      await appReady(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(OUT, `home-${scheme}-${width}.png`), fullPage: true });
      await context.close();
    });
  }
}

// The market-data lab mid-run (every fault on), where its tables are fullest.
for (const scheme of ["light", "dark"]) {
  for (const width of [360, 1280]) {
    test(`market-data lab screenshot ${scheme} ${width}px`, async ({ browser }) => {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(url("/lab/market-data?seed=5&drop=20&dup=50&reorder=50&corrupt=10&delay=4&cut=3&until=1500"));
      await appReady(page);
      await showLab(page);
      await expect(page.getByTestId("state-machine")).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(OUT, `lab-market-data-${scheme}-${width}.png`), fullPage: true });
      await context.close();
    });
  }
}

test("the layout holds at 360 px", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  for (const route of ["/", "/work", "/no/such/page"]) {
    await page.goto(url(route));
    await appReady(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, route).toBeLessThanOrEqual(0);
  }
  await context.close();
});
