/**
 * Publishing from the browser: an editor saves in Keystatic, presses Publish on the
 * dashboard, and the running server switches to the new build (no restart); a publish
 * with a broken entry fails, naming the file and field, and the live site is unchanged.
 * Serial: each publish builds the whole suite's content, one at a time.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.ts';
import { openInEditor, ownEvent, ownGuide, save } from './editing.ts';

test.describe.configure({ mode: 'serial' });

const contentDir = () => process.env.CONTENT_DIR!;
const RARE_WORD = 'quillwort';

/** Presses Publish on the dashboard and waits on the publish's own page until it has ended. */
async function publish(page: Page): Promise<string> {
  await page.goto('/editor');
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page).toHaveURL(/\/editor\/publishes\/\d+$/);
  const status = page.locator('[data-publish-status]');
  await expect(status).not.toHaveAttribute('data-publish-status', 'running', { timeout: 240_000 });
  return (await status.getAttribute('data-publish-status'))!;
}

let published: { slug: string; path: string; summary: string } | undefined;

test('an editor saves a guide in the browser editor and publishes it; the public page and search show it without a restart', async ({ page, signIn, expectNoAxeViolations }) => {
  test.setTimeout(360_000);
  await signIn('editor');
  const guide = ownGuide('publish');
  const summary = 'A summary changed in the browser editor and published with one button.';
  await openInEditor(page, guide.slug);
  await page.getByRole('textbox', { name: 'Summary' }).fill(summary);
  await page.locator('[contenteditable="true"]').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(` Look for the ${RARE_WORD} in the marsh.`);
  expect((await save(page)).status()).toBe(200);
  expect((await page.request.get(`/guides/${guide.slug}`)).status()).toBe(404);

  // An event, in the same publish: its place and start time changed in the browser editor.
  const event = ownEvent('publish');
  await openInEditor(page, event.slug, 'events', 'Location');
  await page.getByRole('textbox', { name: 'Location' }).fill('Millennium Square, Leeds');
  await page.getByRole('textbox', { name: 'Start' }).fill('2026-10-24T10:30');
  expect((await save(page)).status()).toBe(200);
  expect(readFileSync(event.path, 'utf8')).toContain('location: Millennium Square, Leeds\n');

  // The dashboard lists both as saved but not published.
  await page.goto('/editor');
  await expect(page.locator('[data-unpublished-table]')).toContainText(`guides/${guide.slug}.mdx`);
  await expect(page.locator('[data-unpublished-table]')).toContainText(`events/${event.slug}.mdx`);
  await expectNoAxeViolations(page);

  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page).toHaveURL(/\/editor\/publishes\/\d+$/);
  const progress = page.url();

  // A second publish while one runs is refused and says why.
  const second = await page.request.post('/_actions/editor.publish', { form: { confirm: 'publish' }, headers: { origin: new URL(progress).origin } });
  if ((await page.locator('[data-publish-status]').getAttribute('data-publish-status')) === 'running') {
    expect(second.status()).toBe(409);
    expect(await second.text()).toContain('A publish is already running');
  }

  const status = page.locator('[data-publish-status]');
  await expect(status).toHaveAttribute('data-publish-status', 'succeeded', { timeout: 240_000 });
  await expect(page.getByRole('status')).toContainText('This is the version readers see now');
  await expect(page.locator('[data-changes]')).toContainText(`Added guides/${guide.slug}.mdx`);
  await expectNoAxeViolations(page);

  // The same server now serves the new build.
  await page.goto(`/guides/${guide.slug}`);
  await expect(page.locator('.lead')).toHaveText(summary);
  await expect(page.locator('.prose')).toContainText(RARE_WORD);
  await page.goto(`/search?q=${RARE_WORD}`);
  await expect(page.locator('.results > li').getByRole('link', { name: guide.title })).toBeVisible({ timeout: 20_000 });
  await page.goto(`/events/${event.slug}`);
  await expect(page.locator('.event__facts')).toContainText('Millennium Square, Leeds');
  await expect(page.locator('.event__facts')).toContainText('Saturday 24 October 2026, 10:30 to 16:00');
  rmSync(event.path, { force: true });

  // It is no longer waiting on the dashboard, and the history names it.
  await page.goto('/editor');
  await expect(page.locator('[data-unpublished-table]').filter({ hasText: `guides/${guide.slug}.mdx` })).toHaveCount(0);
  await expect(page.locator('[data-publish-history]')).toContainText('Published');
  published = { ...guide, summary };
});

test('a publish with a broken entry fails, naming the file and field, and the live site keeps its text', async ({ page, signIn }) => {
  test.setTimeout(300_000);
  await signIn('editor');
  const broken = join(contentDir(), 'guides', `e2e-broken-${process.pid}.mdx`);
  writeFileSync(
    broken,
    `---\ntitle: A guide with a broken topic\nsummary: A guide whose frontmatter names a topic that does not exist.\npublished: 2026-01-10\naudience: public\ntopics:\n  - not-a-topic\nregions:\n  - national\nowner: Test owner\ndraft: false\nsources: []\nreviewed: 2026-01-10\nreviewDue: 2099-01-10\nversion: '1.0'\n---\nText.\n`,
  );
  try {
    expect(await publish(page)).toBe('failed');
    await expect(page.getByRole('alert')).toContainText('The live site is exactly as it was');
    const findings = page.getByRole('region', { name: 'What to fix' });
    await expect(findings).toContainText(`guides/e2e-broken-${process.pid}.mdx`);
    await expect(findings).toContainText('topics');

    await page.goto('/editor');
    await expect(page.locator('[data-last-failed]')).toContainText('The last publish failed');
    expect((await page.request.get(`/guides/e2e-broken-${process.pid}`)).status()).toBe(404);
    if (published) {
      await page.goto(`/guides/${published.slug}`);
      await expect(page.locator('.lead')).toHaveText(published.summary);
    }
  } finally {
    rmSync(broken, { force: true });
    if (published) rmSync(published.path, { force: true });
  }
});
