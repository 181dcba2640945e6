import { test, expect } from './fixtures.ts';
import { fixtures } from './test-content.ts';

const { currentGuide, workshopReport } = fixtures;

test('searching finds the guide and the workshop report, and a topic filter narrows the results', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('banner').getByLabel('Search the library').fill('kittiwake checklist');
  await page.getByRole('banner').getByRole('button', { name: 'Search' }).click();

  const status = page.getByRole('status');
  await expect(status).toContainText(/results? for “kittiwake checklist”/);
  const results = page.locator('.results > li');
  await expect(results.getByRole('link', { name: currentGuide.title })).toBeVisible();
  await expect(results.getByRole('link', { name: workshopReport.title })).toBeVisible();
  await expect(results.locator('mark').first()).toBeVisible();
  const before = await results.count();

  await page.getByRole('group', { name: 'Topic' }).getByLabel('Regional networks').check();
  await expect.poll(() => results.count()).toBeLessThan(before);
  await expect(results.getByRole('link', { name: workshopReport.title })).toBeVisible();
  await expect(results.getByRole('link', { name: currentGuide.title })).toHaveCount(0);
  await expect(page).toHaveURL(/topic=Regional\+networks/);
});

test('a search with no results says so and suggests the listings', async ({ page }) => {
  await page.goto('/search?q=zzqxjvnothingmatches');
  await expect(page.getByRole('status')).toHaveText('0 results for “zzqxjvnothingmatches”');
  await expect(page.getByText('Nothing matched')).toBeVisible();
  await expect(page.locator('.no-results').getByRole('link', { name: 'Practice guides' })).toBeVisible();
});

test('without JavaScript the search page says so and links the listings', async ({ systemBrowser, baseURL }) => {
  const context = await systemBrowser.newContext({ baseURL, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/search?q=referral');
  await expect(page.getByText('Search needs JavaScript')).toBeVisible();
  await expect(page.locator('.notice').getByRole('link', { name: 'Practice guides' })).toBeVisible();
  await context.close();
});

test('words typed before the search script has loaded are kept and searched', async ({ page }) => {
  // Hold the page's scripts back a moment, as on a slow connection.
  await page.route('**/_astro/*.js', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 800));
    await route.continue();
  });
  await page.goto('/search', { waitUntil: 'domcontentloaded' });
  await page.getByRole('main').getByRole('searchbox').fill('safeguarding');
  await expect(page.getByRole('status')).toContainText('results for “safeguarding”', { timeout: 10_000 });
  await expect(page.getByRole('main').getByRole('searchbox')).toHaveValue('safeguarding');
});

/** The page's cumulative layout shift so far, as Chromium measures it (shifts right after input excluded). */
async function watchLayoutShift(page: import('@playwright/test').Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { layoutShift: number };
    w.layoutShift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as { hadRecentInput: boolean; value: number }[]) if (!entry.hadRecentInput) w.layoutShift += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  return () => page.evaluate(() => (window as unknown as { layoutShift: number }).layoutShift);
}

for (const viewport of [
  { name: 'a phone', width: 412, height: 823 },
  { name: 'a desktop', width: 1350, height: 940 },
]) {
  test(`results arriving after the page loads do not move it (layout shift under 0.1 on ${viewport.name})`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const layoutShift = await watchLayoutShift(page);
    await page.goto('/search?q=referral');
    await expect(page.getByRole('status')).toContainText(/results? for/);
    await expect(page.locator('.results > li').first()).toBeVisible();
    await page.waitForTimeout(500); // fragments that load late
    expect(await layoutShift()).toBeLessThanOrEqual(0.1);
  });
}
