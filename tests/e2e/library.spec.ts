import { test, expect } from './fixtures.ts';
import { fixtures } from './test-content.ts';

const { currentGuide, overdueGuide, membersGuide, awarenessPage, workshopReport } = fixtures;

test('a reader goes from the home page to a guide and on to its topic', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'National Modern Slavery Network' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Report modern slavery' })).toContainText('08000 121 700');
  // A phone number never breaks across lines: its spaces are non-breaking.
  for (const number of await page.locator('a[href^="tel:"]').allTextContents()) expect(number).not.toContain(' ');

  await page.getByRole('link', { name: 'All practice guides' }).click();
  await expect(page).toHaveURL(/\/guides$/);
  await page.getByRole('link', { name: currentGuide.title }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText(currentGuide.title);
  const meta = page.locator('.entry__meta');
  await expect(meta).toContainText('Version');
  await expect(meta).toContainText('Last reviewed');
  await expect(meta).toContainText('Next review due');
  await expect(page.getByRole('navigation', { name: 'Contents' }).getByRole('link').first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Tell us by email' })).toHaveAttribute('href', /^mailto:/);

  await meta.getByRole('link', { name: 'National Referral Mechanism' }).click();
  await expect(page).toHaveURL(/\/topics\/nrm$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('National Referral Mechanism');
  await expect(page.getByRole('link', { name: currentGuide.title })).toBeVisible();
  await expect(page.getByRole('link', { name: workshopReport.title })).toBeVisible();
});

test('a guide past its review date says it may be out of date, a current one does not', async ({ page }) => {
  await page.goto(overdueGuide.url);
  await expect(page.getByRole('note')).toContainText('This guide may be out of date');
  await page.goto(currentGuide.url);
  await expect(page.getByText('This guide may be out of date')).toHaveCount(0);
});

test('a guide ends with its sources, legislation before charities, each linked with the day it was checked', async ({ page }) => {
  await page.goto(currentGuide.url);
  const sources = page.getByRole('region', { name: 'Sources', exact: true });
  const items = sources.getByRole('listitem');
  await expect(items).toHaveCount(2);
  // The fixture cites the helpline first; the section lists legislation first all the same.
  await expect(items.first().getByRole('link')).toHaveAttribute('href', 'https://www.legislation.gov.uk/ukpga/2015/30/section/52');
  await expect(items.last()).toContainText('Modern Slavery & Exploitation Helpline');
  for (const item of await items.all()) await expect(item).toContainText(/Checked \d{1,2} [A-Z][a-z]+ \d{4}\./);
  await expect(page.getByRole('navigation', { name: 'Contents' }).getByRole('link', { name: 'Sources' })).toHaveAttribute('href', '#sources');
});

test('news entries show their kind and the feed lists them', async ({ page, request }) => {
  await page.goto('/news');
  await expect(page.locator('.card', { hasText: workshopReport.title }).locator('.card__type')).toHaveText('Workshop report');
  const feed = await request.get('/news/rss.xml');
  expect(feed.ok()).toBe(true);
  const xml = await feed.text();
  expect(xml).toContain('<rss');
  expect(xml).toContain(workshopReport.url);
  // Every item links to the page's own address, which answers 200 without a redirect.
  const links = [...xml.matchAll(/<item>[\s\S]*?<link>([^<]+)<\/link>/g)].map((m) => new URL(m[1]!).pathname);
  expect(links.length).toBeGreaterThan(0);
  for (const link of links) expect((await request.get(link, { maxRedirects: 0 })).status(), link).toBe(200);
});

test('pages carry canonical, description and Open Graph tags, and the sitemap lists them', async ({ page, request }) => {
  await page.goto(awarenessPage.url);
  await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', new RegExp(`${awarenessPage.url}$`));
  await expect(page.locator('meta[name="description"]')).toHaveAttribute('content', /.{20,}/);
  await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', awarenessPage.title);
  await expect(page.locator('meta[property="og:type"]')).toHaveAttribute('content', 'article');
  const sitemap = await (await request.get('/sitemap-0.xml')).text();
  expect(sitemap).toContain(awarenessPage.url);
  expect(sitemap).not.toContain(membersGuide.slug);
});

test('the sitemap lists only public pages: each answers a visitor 200, never a redirect to sign in', async ({ playwright, baseURL }) => {
  const visitor = await playwright.request.newContext({ baseURL });
  const sitemap = await (await visitor.get('/sitemap-0.xml')).text();
  const paths = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
  expect(paths.length).toBeGreaterThan(20);
  for (const path of ['/forum', '/forum/search', '/notifications', '/moderation', '/forum/discuss', '/login', '/account']) expect(paths).not.toContain(path);
  for (const path of paths) expect((await visitor.get(path, { maxRedirects: 0 })).status(), path).toBe(200);
  await visitor.dispose();
});

test('an unknown address gets the helpful 404 page with a search box', async ({ page }) => {
  const response = await page.goto('/guides/no-such-guide');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await page.getByRole('main').getByLabel('Search the library').fill('referral');
  await page.getByRole('main').getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\/search\?q=referral/);
  await expect(page.getByRole('status')).toContainText(/\d+ results? for “referral”/);
});

test('every response carries the security headers', async ({ request }) => {
  for (const path of ['/', currentGuide.url, '/pagefind/pagefind.js', '/no-such-page']) {
    const headers = (await request.get(path)).headers();
    expect(headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options'], path).toBe('nosniff');
    expect(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
    expect(headers['permissions-policy'], path).toContain('camera=()');
  }
});

test('a printed guide keeps its text and provenance but drops the page furniture', async ({ page }) => {
  await page.goto(currentGuide.url);
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('banner')).toBeHidden();
  await expect(page.getByRole('contentinfo')).toBeHidden();
  await expect(page.getByRole('complementary', { name: 'Related' })).toBeHidden();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('.entry__meta')).toContainText('Next review due');
});

test('on a phone the layout fits the screen without sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/', currentGuide.url, '/search?q=safeguarding']) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
});
