/**
 * Editing in the browser: Keystatic behind the editors' sign-in, its saves written to the
 * content folder the server reads (the suite's own copy, CONTENT_DIR), the preview with
 * its banner, two editors saving one entry, and probes against the editor's API.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as playwrightRequest } from '@playwright/test';
import { test, expect, allowConsoleErrors, collectConsoleErrors, createMember, sessionCookie, testClientAddress } from './fixtures.ts';
import { openInEditor, ownGuide, ownResource, save } from './editing.ts';
import { createSession } from '#lib/auth/sessions.ts';

const contentDir = process.env.CONTENT_DIR!;

test('an editor changes a guide in the browser editor, saves, and previews it with the banner', async ({ page, signIn, expectNoAxeViolations }) => {
  await signIn('editor');
  const guide = ownGuide('summary');
  try {
    await openInEditor(page, guide.slug);
    await page.getByRole('textbox', { name: 'Summary' }).fill('A summary changed in the browser editor, then previewed before publishing.');
    await page.locator('[contenteditable="true"]').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' A sentence about the ptarmigan checklist.');
    expect((await save(page)).status()).toBe(200);

    const saved = readFileSync(guide.path, 'utf8');
    expect(saved).toContain('summary: A summary changed in the browser editor, then previewed before publishing.');
    expect(saved).toContain('ptarmigan checklist');

    await page.goto(`/editor/preview/guides/${guide.slug}`);
    await expect(page.locator('[data-preview-banner]')).toContainText('Preview — not published');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(guide.title);
    await expect(page.locator('.lead')).toHaveText('A summary changed in the browser editor, then previewed before publishing.');
    await expect(page.locator('.prose')).toContainText('ptarmigan checklist');
    await expect(page.locator('meta[name="robots"]')).toHaveAttribute('content', 'noindex');
    await expectNoAxeViolations(page);

    // Not on the public site until it is published.
    const live = await page.request.get(`/guides/${guide.slug}`);
    expect(live.status()).toBe(404);
  } finally {
    rmSync(guide.path, { force: true });
  }
});

test('an editor replaces a resource’s file in the browser editor; a file that is not what its name says is refused', async ({ page, signIn, expectNoAxeViolations }) => {
  await signIn('editor');
  const resource = ownResource('upload');
  const upload = async (name: string, mimeType: string, body: string) => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose file' }).click();
    await (await chooser).setFiles({ name, mimeType, buffer: Buffer.from(body) });
  };
  try {
    await openInEditor(page, resource.slug, 'resources');

    // A web page called .png: refused with the reason, and nothing written.
    allowConsoleErrors(page, /status of 400/);
    await upload('poster.png', 'image/png', '<!doctype html><script>alert(1)</script>');
    expect((await save(page)).status()).toBe(400);
    await expect(page.getByText(/Not saved: the file is not a PNG image file/)).toBeVisible();
    expect(existsSync(join(resource.folder, 'file.png'))).toBe(false);
    expect(readFileSync(resource.path, 'utf8')).toContain(`file: ./${resource.slug}/file.pdf`);

    // A real CSV replaces the PDF: kept where the editor keeps uploads, the entry names it.
    await upload('contacts-sheet.csv', 'text/csv', 'Name,Role\r\nA. Partner,Chair\r\n');
    expect((await save(page)).status()).toBe(200);
    expect(readFileSync(join(resource.folder, 'file.csv'), 'utf8')).toBe('Name,Role\r\nA. Partner,Chair\r\n');
    expect(existsSync(join(resource.folder, 'file.pdf'))).toBe(false);
    expect(readFileSync(resource.path, 'utf8')).toContain(`file: ./${resource.slug}/file.csv\n`);

    // The preview shows it in the resource layout, with what the build will measure.
    await page.goto(`/editor/preview/resources/${resource.slug}`);
    await expect(page.locator('[data-preview-banner]')).toContainText('Preview — not published');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(resource.title);
    await expect(page.locator('[data-preview-file]')).toContainText('CSV, 29 bytes');
    await expectNoAxeViolations(page);
    // Nothing uploaded is on the public site before a publish.
    expect((await page.request.get(`/resources/${resource.slug}`)).status()).toBe(404);
    expect((await page.request.get(`/resources/${resource.slug}/${resource.slug}.csv`)).status()).toBe(404);
  } finally {
    rmSync(resource.path, { force: true });
    rmSync(resource.folder, { recursive: true, force: true });
  }
});

test('a members-only entry previews in the site’s layout, marked members only', async ({ page, signIn }) => {
  await signIn('editor');
  const guide = ownGuide('members');
  writeFileSync(guide.path, readFileSync(guide.path, 'utf8').replace('audience: public', 'audience: members'));
  try {
    await page.goto(`/editor/preview/guides/${guide.slug}`);
    await expect(page.locator('[data-preview-banner]')).toBeVisible();
    await expect(page.locator('.entry__type')).toContainText('Members only');
  } finally {
    rmSync(guide.path, { force: true });
  }
});

test('two editors save one entry: the second is told, and both texts survive', async ({ page, signIn, db, baseURL, systemBrowser, expectNoAxeViolations }) => {
  await signIn('editor');
  const guide = ownGuide('conflict');
  const other = await createMember(db, 'editor', 'Second editor');
  const { token } = await createSession(db, other.user.id, { mfaVerified: true });
  const otherContext = await systemBrowser.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  await otherContext.addCookies([sessionCookie(token, baseURL!)]);
  const otherPage = await otherContext.newPage();
  const otherErrors = collectConsoleErrors(otherPage);
  try {
    // Both open the entry; the first saves.
    await openInEditor(page, guide.slug);
    await openInEditor(otherPage, guide.slug);
    await page.getByRole('textbox', { name: 'Summary' }).fill('The first editor’s summary, saved first, which stays in the library.');
    expect((await save(page)).status()).toBe(200);

    // The second saves over the copy they opened before: refused, told, and kept.
    allowConsoleErrors(otherPage, /status of 409/);
    await otherPage.getByRole('textbox', { name: 'Summary' }).fill('The second editor’s summary, written over an older copy and kept.');
    expect((await save(otherPage)).status()).toBe(409);
    await expect(otherPage.getByText(/Not saved: .* changed guides\/.*after you opened it/)).toBeVisible();

    expect(readFileSync(guide.path, 'utf8')).toContain('The first editor’s summary');
    await page.goto('/editor');
    // The kept versions' table (the file is also listed as saved but not published).
    const keptTable = page.getByRole('region', { name: 'Kept versions' });
    const row = keptTable.getByRole('row', { name: new RegExp(`guides/${guide.slug}\\.mdx`) });
    await expect(row).toContainText('someone else had changed the entry');
    await expectNoAxeViolations(page);
    await row.getByRole('link').click();
    await expect(page.locator('[data-kept-text]')).toContainText('The second editor’s summary, written over an older copy and kept.');
    await expect(page.locator('[data-current-text]')).toContainText('The first editor’s summary');
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Mark as dealt with' }).click();
    await expect(page.getByRole('status')).toContainText('marked as dealt with');
    await expect(page.getByRole('region', { name: 'Kept versions' }).getByRole('row', { name: new RegExp(`guides/${guide.slug}\\.mdx`) })).toHaveCount(0);
  } finally {
    await otherContext.close();
    rmSync(guide.path, { force: true });
  }
  expect(otherErrors, 'console errors on the second editor’s page').toEqual([]);
});

test('a member is refused the editor and its API; a visitor is sent to sign in', async ({ page, signIn, baseURL }) => {
  const anonymous = await page.request.get('/keystatic', { maxRedirects: 0 });
  expect(anonymous.status()).toBe(302);
  expect(anonymous.headers().location).toMatch(/^\/login\?next=%2Fkeystatic/);
  expect((await page.request.get('/api/keystatic/tree', { headers: { 'no-cors': '1' } })).status()).toBe(401);

  await signIn('member');
  await page.goto('/keystatic');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You do not have permission to see this page');
  expect((await page.request.get('/keystatic', { maxRedirects: 0 })).status()).toBe(403);
  expect((await page.request.get('/api/keystatic/tree', { headers: { 'no-cors': '1' } })).status()).toBe(403);
  expect((await page.request.get('/editor', { maxRedirects: 0 })).status()).toBe(403);
  void baseURL;
});

test('probes of the editor API as an editor write nothing outside the content folder', async ({ db, baseURL }) => {
  const editor = await createMember(db, 'editor');
  const { token } = await createSession(db, editor.user.id, { mfaVerified: true });
  const cookie = sessionCookie(token, baseURL!);
  const api = await playwrightRequest.newContext({
    baseURL,
    extraHTTPHeaders: { cookie: `${cookie.name}=${cookie.value}`, origin: baseURL!, 'no-cors': '1', 'x-forwarded-for': testClientAddress() },
  });
  const project = join(contentDir, '../../../..');
  const targets = ['e2e-probe.mdx', 'src/pages/e2e-probe.astro', 'public/e2e-probe.svg', 'node_modules/.cache/e2e/e2e-probe.mdx'];
  try {
    expect((await api.get('/api/keystatic/tree')).status()).toBe(200);
    const write = (path: string, body = '<script>alert(1)</script>') =>
      api.post('/api/keystatic/update', { headers: { 'content-type': 'application/json' }, data: { additions: [{ path, contents: Buffer.from(body).toString('base64url') }], deletions: [] } });
    for (const path of [
      '../e2e-probe.mdx',
      '../../../../src/pages/e2e-probe.astro',
      '/etc/e2e-probe',
      'guides/%2e%2e/e2e-probe.mdx',
      '../../../../public/e2e-probe.svg',
      'images/guides/x/e2e-probe.svg',
      // A resource's upload: only resources/<entry>/file.<accepted format>.
      'resources/x/file.html',
      'resources/x/file.svg',
      'resources/x/e2e-probe.pdf',
      'resources/../../../../public/file.pdf',
      'resources/x/y/file.pdf',
    ]) {
      const response = await write(path);
      expect(response.status(), path).toBe(400);
    }
    for (const path of ['/api/keystatic/blob/0/..%2F..%2F..%2F..%2Fpackage.json', '/api/keystatic/blob/0/%2e%2e/%2e%2e/package.json', '/api/keystatic/blob/0/guides/..%5C..%5Cpackage.json']) {
      const response = await api.get(path);
      expect([400, 404], path).toContain(response.status());
      expect(await response.text()).not.toContain('"name": "nmsn-portal"');
    }
    // An accepted name with the wrong content, and a file over 25 MB, are refused too.
    expect((await write('resources/e2e-probe/file.pdf', '<html>not a pdf</html>')).status()).toBe(400);
    const huge = await write('resources/e2e-probe/file.csv', 'a,b\n'.repeat(6.4 * 1024 * 1024));
    expect(huge.status()).toBe(400);
    expect(await huge.text()).toContain('files may be at most 25 MB');
    expect(existsSync(join(contentDir, 'resources/e2e-probe'))).toBe(false);
    for (const target of targets) expect(existsSync(join(project, target)), target).toBe(false);
  } finally {
    await api.dispose();
  }
});
