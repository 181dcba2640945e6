import { test as base, expect, chromium, type Browser, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { chromiumArgs, chromiumPath } from './chromium.ts';

/** WCAG 2.2 AA: every rule set up to it. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export const test = base.extend<{ page: Page; expectNoAxeViolations: (page: Page) => Promise<void> }, { systemBrowser: Browser }>({
  systemBrowser: [
    async ({}, use) => {
      const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  // Every test fails on a console error or an uncaught exception (a CSP violation shows up as one).
  page: async ({ systemBrowser, baseURL }, use) => {
    const context = await systemBrowser.newContext({ baseURL });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => {
      // A page's own 4xx status (404 page, refused form) is expected; a failing asset is not.
      const documentStatus = /status of 4\d\d/.test(msg.text()) && msg.location().url === page.url();
      if (msg.type() === 'error' && !documentStatus) errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    await use(page);
    await context.close();
    expect(errors, 'console errors on the page').toEqual([]);
  },
  expectNoAxeViolations: async ({}, use) => {
    await use(async (page) => {
      const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
      const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
      expect(summary, `axe violations on ${page.url()}`).toEqual([]);
    });
  },
});

export { expect };
