import { readFileSync } from 'node:fs';
import { generateHOTP } from '@oslojs/otp';
import { and, desc, eq } from 'drizzle-orm';
import { auditLog } from '#db/schema.ts';
import { test, expect, createMember } from './fixtures.ts';
import { fixtureFile, fixtures, membersOnlyCount } from './test-content.ts';

const currentCode = (key: Uint8Array) => generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000)), 6);
const { publicToolkit, contactsSheet, membersPack } = fixtures;
const ODT = 'application/vnd.oasis.opendocument.text';

test('a visitor filters the resources and downloads a public toolkit', async ({ page, expectNoAxeViolations }) => {
  test.slow(); // one journey through two pages, with axe on each, on a shared machine
  await page.goto('/resources');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Resources');
  const count = membersOnlyCount('resources');
  await expect(page.getByText(`Members can also download ${count} members-only resource`)).toBeVisible();
  await expect(page.getByRole('main')).not.toContainText(membersPack.title);
  await expectNoAxeViolations(page);

  // Filters: only CSV files, then a topic no CSV file has, then clear.
  const cards = page.locator('[data-resource-list] > li:visible');
  const all = await cards.count();
  await page.getByLabel('Format').selectOption({ label: 'CSV' });
  await expect(page.getByRole('status')).toHaveText(/^Showing \d+ of \d+ resources$/);
  await expect(cards.filter({ hasText: contactsSheet.title })).toHaveCount(1);
  await expect(cards.filter({ hasText: publicToolkit.title })).toHaveCount(0);
  await expect(page).toHaveURL(/\?format=csv$/);
  await page.getByLabel('Topic').selectOption({ label: 'National Referral Mechanism' });
  await expect(page.getByRole('status')).toHaveText('No resources match these filters. Clear the filters to see them all.');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(cards).toHaveCount(all);
  await expect(page).toHaveURL(/\/resources$/);

  // A filtered list can be shared: the address carries the filters.
  await page.goto('/resources?topic=nrm&format=pdf');
  await expect(page.getByLabel('Topic')).toHaveValue('nrm');
  await expect(cards.filter({ hasText: publicToolkit.title })).toHaveCount(1);
  await expect(cards.filter({ hasText: contactsSheet.title })).toHaveCount(0);

  await cards.getByRole('link', { name: publicToolkit.title }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(publicToolkit.title);
  const fact = (term: string) => page.locator('.entry__meta > div', { has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) }).locator('dd');
  await expect(fact('Format')).toHaveText('PDF');
  await expect(fact('Size')).toHaveText('2 KB');
  await expect(page.getByRole('complementary', { name: 'Guides that use this resource' })).toContainText('Fixture guide: the kittiwake referral checklist');
  await expectNoAxeViolations(page);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the file (PDF, 2 KB)' }).click()]);
  expect(download.suggestedFilename()).toBe('fixture-public-toolkit.pdf');
  expect(readFileSync(await download.path())).toEqual(fixtureFile(publicToolkit.file));

  const response = await page.request.get(publicToolkit.fileUrl);
  expect(response.headers()['content-type']).toBe('application/pdf');
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
});

test('a public guide lists its public resources, never a members’ one', async ({ page }) => {
  await page.goto(fixtures.currentGuide.url);
  const section = page.getByRole('region', { name: 'Resources for this guide' });
  await expect(section.getByRole('link', { name: publicToolkit.title })).toHaveAttribute('href', publicToolkit.url);
  await expect(page.getByRole('main')).not.toContainText(membersPack.title);
});

test('a visitor asking for a members-only file is sent to sign in, and gets it once signed in', async ({ page, db }) => {
  const response = await page.goto(membersPack.fileUrl);
  expect(response?.url()).toContain(`/login?next=${encodeURIComponent(membersPack.fileUrl)}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');

  const member = await createMember(db);
  await page.getByLabel('Email address').fill(member.user.email);
  await page.getByLabel('Password').fill(member.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Security code').fill(currentCode(member.totpKey));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Sign in' }).click()]);
  expect(download.suggestedFilename()).toBe('fixture-members-pack.odt');
  expect(readFileSync(await download.path())).toEqual(fixtureFile(membersPack.file));

  // Who downloaded which file is recorded; the content is not.
  const row = await db.select().from(auditLog).where(and(eq(auditLog.actorId, member.user.id), eq(auditLog.action, 'resource-download'))).orderBy(desc(auditLog.id)).get();
  expect(row).toMatchObject({ outcome: 'success', targetType: 'resource', targetId: 'fixture-members-pack', detail: { file: 'fixture-members-pack.odt' } });
});

test('a member reads a members-only resource page, and the file is a private, resumable download', async ({ page, signIn, expectNoAxeViolations }) => {
  test.slow();
  await signIn();
  await page.goto('/members/resources');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Members’ resources');
  await expectNoAxeViolations(page);
  await page.getByRole('link', { name: membersPack.title }).click();
  await expect(page.getByText('Members only', { exact: true }).first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Download the file (OpenDocument text, 2 KB)' })).toHaveAttribute('href', membersPack.fileUrl);
  await expectNoAxeViolations(page);

  const bytes = fixtureFile(membersPack.file);
  const whole = await page.request.get(membersPack.fileUrl);
  expect(whole.status()).toBe(200);
  expect(whole.headers()).toMatchObject({
    'content-type': ODT,
    'content-disposition': 'attachment; filename="fixture-members-pack.odt"',
    'x-content-type-options': 'nosniff',
    'cache-control': 'private, no-store',
    'accept-ranges': 'bytes',
    'content-length': String(bytes.length),
  });
  expect(await whole.body()).toEqual(bytes);

  const part = await page.request.get(membersPack.fileUrl, { headers: { range: 'bytes=100-199' } });
  expect(part.status()).toBe(206);
  expect(part.headers()['content-range']).toBe(`bytes 100-199/${bytes.length}`);
  expect(await part.body()).toEqual(bytes.subarray(100, 200));

  const resumed = await page.request.get(membersPack.fileUrl, { headers: { range: `bytes=${bytes.length - 10}-`, 'if-range': whole.headers().etag! } });
  expect(resumed.status()).toBe(206);
  expect(await resumed.body()).toEqual(bytes.subarray(bytes.length - 10));
  expect((await page.request.get(membersPack.fileUrl, { headers: { range: `bytes=${bytes.length}-` } })).status()).toBe(416);

  // A wrong file name is not found; a public resource's file under /members goes to the public one.
  expect((await page.request.get('/members/resources/fixture-members-pack/other.odt')).status()).toBe(404);
  const redirected = await page.request.get(`/members${publicToolkit.fileUrl}`, { maxRedirects: 0 });
  expect(redirected.headers().location).toBe(publicToolkit.fileUrl);
});

test('the public search finds resources and filters them by the Resource type', async ({ page }) => {
  await page.goto('/search?q=guillemot');
  await expect(page.getByRole('status')).toContainText('result');
  await page.getByRole('group', { name: 'Type' }).getByLabel('Resource').check();
  const results = page.locator('.results > li');
  await expect(results.getByRole('link', { name: publicToolkit.title })).toBeVisible();
  await expect(results.locator('.card__type', { hasText: /^Guide$/ })).toHaveCount(0);

  await page.goto('/search?q=dunlin');
  await expect(page.getByRole('status')).toContainText('result');
  await expect(results.getByRole('link', { name: membersPack.title })).toHaveCount(0);
});

test('the members’ search finds a members-only resource', async ({ page, signIn }) => {
  await signIn();
  await page.goto('/members/search?q=dunlin');
  await expect(page.locator('.results > li').getByRole('link', { name: membersPack.title })).toBeVisible();
});
