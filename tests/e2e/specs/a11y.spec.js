// Automated accessibility checks (axe, WCAG 2 A/AA) on each page in both themes.
import { test, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { CONTENT, url, appReady } from "./lib.js";

for (const scheme of ["light", "dark"]) {
  for (const route of [...CONTENT.routes.map((p) => p.path), "/no/such/page"]) {
    test(`axe: ${route} in ${scheme}`, async ({ browser }) => {
      const context = await browser.newContext({ colorScheme: scheme });
      const page = await context.newPage();
      await page.goto(url(route));
      await appReady(page);
      const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa"]).analyze();
      const summary = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      expect(summary).toEqual([]);
      await context.close();
    });
  }
}
