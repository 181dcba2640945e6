import { generateHOTP } from '@oslojs/otp';
import { test, expect, createMember } from './fixtures.ts';
import { fixtures, membersOnlyCount } from './test-content.ts';

const { sentence: MEMBERS_SENTENCE, slug: MEMBERS_GUIDE, url: MEMBERS_GUIDE_URL, title: MEMBERS_GUIDE_TITLE, words: MEMBERS_WORDS } = fixtures.membersGuide;
const PUBLIC_REPORT = fixtures.workshopReport.title;

const currentCode = (key: Uint8Array) => generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000)), 6);

test.describe('anonymous visitors', () => {
  test('are sent to sign in from a members entry, and come back to it after signing in', async ({ page, db }) => {
    await page.goto(MEMBERS_GUIDE_URL);
    await expect(page).toHaveURL(`/login?next=${encodeURIComponent(MEMBERS_GUIDE_URL)}`);
    await expect(page.getByText(MEMBERS_WORDS)).toHaveCount(0);

    const member = await createMember(db);
    await page.getByLabel('Email address').fill(member.user.email);
    await page.getByLabel('Password').fill(member.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Security code').fill(currentCode(member.totpKey));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(MEMBERS_GUIDE_URL);
    await expect(page.getByText(MEMBERS_SENTENCE)).toBeVisible();
  });

  test('are sent to sign in from every members page, and get nothing from the members bundle', async ({ page, request }) => {
    for (const path of ['/members', '/members/guides', '/members/search', '/members/guides/no-such-guide']) {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(302);
      expect(response.headers()['location'], path).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    const bundle = await request.get('/members/pagefind/pagefind.js', { maxRedirects: 0 });
    expect([302, 401]).toContain(bundle.status());
    expect((await request.get('/members/pagefind/..%2F..%2Fserver%2Fentry.mjs', { maxRedirects: 0 })).status()).toBe(404);
    expect(await bundle.text()).not.toContain('pagefind');
    for (const chunk of ['/members/pagefind/pagefind-entry.json', '/members/pagefind/wasm.en.pagefind']) {
      expect([302, 401], chunk).toContain((await request.get(chunk, { maxRedirects: 0 })).status());
    }
    await page.goto('/members');
    await expect(page).toHaveURL('/login?next=%2Fmembers');
  });

  test('see on the public guides listing how many members-only guides there are, but not which', async ({ page, expectNoAxeViolations }) => {
    await page.goto('/guides');
    const notice = page.locator('.notice', { hasText: 'members-only' });
    const n = membersOnlyCount('guides');
    await expect(notice).toHaveText(`Members can also read ${n} members-only guide${n === 1 ? ' — sign in to read it.' : 's — sign in to read them.'}`);
    await expect(notice.getByRole('link', { name: /sign in/ })).toHaveAttribute('href', '/members/guides');
    await expect(page.getByRole('main')).not.toContainText(MEMBERS_GUIDE_TITLE);
    await expect(page.locator(`a[href*="${MEMBERS_GUIDE}"]`)).toHaveCount(0);
    await expectNoAxeViolations(page);
  });

  test('the public search finds nothing members-only', async ({ page }) => {
    await page.goto(`/search?q=${encodeURIComponent(MEMBERS_WORDS)}`);
    await expect(page.getByRole('status')).toContainText('result');
    await expect(page.locator(`.results a[href*="${MEMBERS_GUIDE}"]`)).toHaveCount(0);
    await expect(page.getByRole('main')).not.toContainText('Members only');
    await expect(page.getByRole('group', { name: 'Source' })).toHaveCount(0);
  });
});

test.describe('signed-in members', () => {
  test('read a members-only guide, privately', async ({ page, signIn, expectNoAxeViolations }) => {
    await signIn();
    const response = await page.goto(MEMBERS_GUIDE_URL);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cache-control']).toBe('private, no-store');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(MEMBERS_GUIDE_TITLE);
    await expect(page.getByText(MEMBERS_SENTENCE)).toBeVisible();
    await expect(page.locator('.entry__type')).toHaveText('Members only · Guide');
    await expect(page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Guides' })).toHaveAttribute('href', '/members/guides');
    // Related entries and the feedback link work for a members' entry.
    await expect(page.getByRole('complementary').getByRole('link').first()).toBeVisible();
    expect(decodeURIComponent((await page.getByRole('link', { name: 'Tell us by email' }).getAttribute('href'))!)).toContain(MEMBERS_GUIDE_URL);
    await expectNoAxeViolations(page);
  });

  test('see the members’ home and listings', async ({ page, signIn, expectNoAxeViolations }) => {
    const member = await signIn();
    const response = await page.goto('/members');
    expect(response?.headers()['cache-control']).toBe('private, no-store');
    await expect(page.getByRole('main')).toContainText(`Welcome, ${member.user.displayName}`);
    const guides = page.getByRole('region', { name: 'Members-only guides' });
    await expect(guides.getByRole('link', { name: MEMBERS_GUIDE_TITLE })).toHaveAttribute('href', MEMBERS_GUIDE_URL);
    await expect(page.getByRole('main').getByRole('link', { name: 'Practice guides' })).toHaveAttribute('href', '/guides');
    await expectNoAxeViolations(page);

    await page.goto('/members/guides');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Members-only practice guides');
    await expect(page.getByRole('link', { name: MEMBERS_GUIDE_TITLE })).toHaveAttribute('href', MEMBERS_GUIDE_URL);
    // Only members' entries here: the public guides stay in the public listing.
    await expect(page.locator('.card')).toHaveCount(membersOnlyCount('guides'));
    await expect(page.getByRole('link', { name: /Search members/ })).toHaveAttribute('href', '/members/search');
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: MEMBERS_GUIDE_TITLE }).click();
    await expect(page.getByText(MEMBERS_SENTENCE)).toBeVisible();
  });

  test('get 404 for unknown entries and collections, and the public page for a public entry', async ({ page, signIn }) => {
    await signIn();
    for (const path of ['/members/guides/no-such-guide', '/members/recipes', '/members/recipes/anything']) {
      expect((await page.goto(path))?.status(), path).toBe(404);
    }
    await page.goto(`/members${fixtures.currentGuide.url}`);
    await expect(page).toHaveURL(fixtures.currentGuide.url);
  });

  test('search members’ and public pages in one list, and filter by source', async ({ page, signIn, expectNoAxeViolations }) => {
    await signIn();
    await page.goto('/members/search');
    const search = page.getByRole('search').getByLabel('Search members-only and public guides, awareness pages, news and resources');
    await search.fill(MEMBERS_WORDS);
    const status = page.getByRole('status');
    await expect(status).toContainText(`for “${MEMBERS_WORDS}”`);
    const results = page.locator('.results > li');
    const membersResult = results.filter({ has: page.getByRole('link', { name: MEMBERS_GUIDE_TITLE }) });
    await expect(membersResult).toHaveCount(1);
    await expect(membersResult.getByRole('link')).toHaveAttribute('href', MEMBERS_GUIDE_URL);
    await expect(membersResult.locator('.card__type')).toHaveText('Members only · Guide');
    await expect(membersResult.locator('mark').first()).toBeVisible();
    await expectNoAxeViolations(page);

    // A word both indexes know: members' and public results in one ranked list.
    await search.fill('sanderling');
    await expect(status).toContainText(/results for “sanderling”/);
    await expect(results.getByRole('link', { name: MEMBERS_GUIDE_TITLE })).toBeVisible();
    await expect(results.getByRole('link', { name: PUBLIC_REPORT })).toHaveAttribute('href', /^\/news\//);
    const before = await results.count();

    await page.getByRole('group', { name: 'Source' }).getByLabel('Members only').check();
    await expect.poll(() => results.count()).toBeLessThan(before);
    await expect(results.getByRole('link', { name: MEMBERS_GUIDE_TITLE })).toBeVisible();
    await expect(results.getByRole('link', { name: PUBLIC_REPORT })).toHaveCount(0);
    for (const href of await results.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')))) {
      expect(href).toMatch(/^\/members\//);
    }
    await expect(page).toHaveURL(/source=Members\+only/);

    await page.getByRole('group', { name: 'Source' }).getByLabel('Members only').uncheck();
    await page.getByRole('group', { name: 'Source' }).getByLabel('Public library').check();
    await expect(results.getByRole('link', { name: PUBLIC_REPORT })).toBeVisible();
    await expect(results.getByRole('link', { name: MEMBERS_GUIDE_TITLE })).toHaveCount(0);

    // Result links lead to pages that exist (no doubled /members/members/ prefix).
    await page.getByRole('group', { name: 'Source' }).getByLabel('Public library').uncheck();
    await expect(results.getByRole('link', { name: MEMBERS_GUIDE_TITLE })).toBeVisible();
    await results.getByRole('link', { name: MEMBERS_GUIDE_TITLE }).click();
    await expect(page.getByText(MEMBERS_SENTENCE)).toBeVisible();
  });

  test('can fetch the members’ bundle privately, but not outside it', async ({ page, signIn }) => {
    await signIn();
    const request = page.context().request;
    const bundle = await request.get('/members/pagefind/pagefind.js', { maxRedirects: 0 });
    expect(bundle.status()).toBe(200);
    expect(bundle.headers()['content-type']).toMatch(/^text\/javascript/);
    expect(bundle.headers()['cache-control']).toContain('private');
    expect(bundle.headers()['vary']).toMatch(/Cookie/i);
    const wasm = await request.get('/members/pagefind/wasm.en.pagefind', { maxRedirects: 0 });
    expect(wasm.status()).toBe(200);
    expect(wasm.headers()['content-type']).toBe('application/octet-stream');

    for (const path of [
      '/members/pagefind/..%2F..%2Fserver%2Fentry.mjs',
      '/members/pagefind/%2e%2e%2f%2e%2e%2fserver%2fentry.mjs',
      '/members/pagefind/..%5C..%5Cserver%5Centry.mjs',
      '/members/pagefind/fragment/..%2F..%2F..%2Fserver%2Fentry.mjs',
      '/members/pagefind/no-such-file.js',
      '/members/pagefind',
    ]) {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(404);
      expect(await response.text(), path).not.toContain('import');
    }
  });
});
