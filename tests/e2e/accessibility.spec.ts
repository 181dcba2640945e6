import { test, expect } from './fixtures.ts';
import { fixtures } from './test-content.ts';

/** One page of every type the library has. */
const pages = {
  home: '/',
  'guides listing': '/guides',
  guide: fixtures.currentGuide.url,
  'overdue guide': fixtures.overdueGuide.url,
  'awareness listing': '/awareness',
  'awareness page': fixtures.awarenessPage.url,
  'awareness strategies listing': '/awareness/strategies/businesses',
  'awareness strategy': fixtures.strategy.url,
  'news listing': '/news',
  'workshop report': fixtures.workshopReport.url,
  'topics index': '/topics',
  topic: '/topics/nrm',
  about: '/about',
  'accessibility statement': '/accessibility',
  'privacy notice': '/privacy',
  'not found': '/no-such-page',
  'search with results': '/search?q=trafficking&topic=Safeguarding',
  'search without results': '/search?q=zzqxjvnothingmatches',
};

for (const [name, path] of Object.entries(pages)) {
  test(`axe finds no WCAG 2.2 AA violations on the ${name} page`, async ({ page, expectNoAxeViolations }) => {
    await page.goto(path);
    if (path.startsWith('/search')) await expect(page.getByRole('status')).toContainText('result');
    await expectNoAxeViolations(page);
  });
}

test('keyboard alone: skip to main content, then reach search and run it', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  // From the top again: Tab through the header to the search box.
  await page.goto('/');
  const search = page.getByRole('banner').getByLabel('Search the library');
  for (let i = 0; i < 10 && !(await search.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(search).toBeFocused();
  await page.keyboard.type('safeguarding');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=safeguarding/);
  await expect(page.getByRole('status')).toContainText('results for “safeguarding”');

  // Tab on from the search field reaches a filter and then a result link.
  await page.getByRole('main').getByRole('searchbox').focus();
  await page.keyboard.press('Tab'); // the Search button
  await page.keyboard.press('Tab'); // the first filter
  await expect(page.locator('.search-filters input[type="checkbox"]').first()).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.locator('.search-filters input[type="checkbox"]').first()).toBeChecked();
  // The filtered search runs after a short pause and writes the filter into the address;
  // wait for its results, or the link focused below may be replaced under the keyboard.
  await expect(page).toHaveURL(/\/search\?q=safeguarding&/);
  await expect(page.getByRole('status')).toHaveText(/^\d+ results? for “safeguarding”$/);
  const firstResult = page.locator('.results a').first();
  await firstResult.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('article[data-pagefind-body] h1')).toBeVisible();
});

test('focus is visible on links', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    return { tag: el.tagName, background: style.backgroundColor };
  });
  expect(outline.tag).toBe('A');
  expect(outline.background).toBe('rgb(255, 221, 0)');
});
