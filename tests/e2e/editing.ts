/** Helpers for the browser editor's tests: a guide of the test's own, and Keystatic's form. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, allowConsoleErrors } from './fixtures.ts';

const contentDir = () => process.env.CONTENT_DIR!;

/** The editor app asks for a Google font, which the site's policy blocks (it falls back to the system font). */
const BLOCKED_FONT = /fonts\.googleapis\.com/;

let n = 0;
/** A guide of the test's own in the suite's content folder, so tests never edit each other's entries. */
export function ownGuide(word: string): { slug: string; path: string; title: string } {
  const slug = `e2e-editing-${process.pid}-${++n}-${word}`;
  const title = `Editing fixture ${word} ${n}`;
  const path = join(contentDir(), 'guides', `${slug}.mdx`);
  writeFileSync(
    path,
    `---\ntitle: ${title}\nsummary: A guide the editor tests change in the browser and then preview.\npublished: 2026-01-10\naudience: public\ntopics:\n  - multi-agency\nregions:\n  - national\nowner: Test owner\ndraft: false\nsources: []\nreviewed: 2026-01-10\nreviewDue: 2099-01-10\nversion: '1.0'\n---\nThe first paragraph of the guide.\n\n## What to do\n\nThe last paragraph of the guide.\n`,
  );
  return { slug, path, title };
}

/** An event of the test's own, written as the browser editor writes it (house style). */
export function ownEvent(word: string): { slug: string; path: string; title: string } {
  const slug = `e2e-editing-${process.pid}-${++n}-${word}`;
  const title = `Editing fixture event ${word} ${n}`;
  const path = join(contentDir(), 'events', `${slug}.mdx`);
  writeFileSync(
    path,
    `---\ntitle: ${title}\nsummary: An event the editor tests change in the browser and then publish.\npublished: 2026-01-10\naudience: public\ntopics:\n  - multi-agency\nregions:\n  - national\nowner: Test owner\ndraft: false\nsources: []\nstart: 2026-10-24T10:00\nend: 2026-10-24T16:00\nlocation: Fixture Hall, Leeds\norganiser: Test owner\nstatus: scheduled\n---\nA made-up event for the tests.\n`,
  );
  return { slug, path, title };
}

/** A resource of the test's own with its PDF, where the browser editor keeps uploads (house style). */
export function ownResource(word: string): { slug: string; path: string; folder: string; title: string } {
  const slug = `e2e-editing-${process.pid}-${++n}-${word}`;
  const title = `Editing fixture resource ${word} ${n}`;
  const path = join(contentDir(), 'resources', `${slug}.mdx`);
  const folder = join(contentDir(), 'resources', slug);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'file.pdf'), '%PDF-1.4\n% a one-line test file\n');
  writeFileSync(
    path,
    `---\ntitle: ${title}\nsummary: A resource the editor tests change in the browser and then preview.\npublished: 2026-01-10\naudience: public\ntopics:\n  - multi-agency\nregions:\n  - national\nowner: Test owner\ndraft: false\nsources: []\nfile: ./${slug}/file.pdf\n---\nWhat the file is for.\n`,
  );
  return { slug, path, folder, title };
}

/** Opens an entry in Keystatic and waits for its form (`field`: a text box it shows). */
export async function openInEditor(page: Page, slug: string, collection = 'guides', field = 'Summary') {
  allowConsoleErrors(page, BLOCKED_FONT);
  const response = await page.goto(`/keystatic/collection/${collection}/item/${slug}`);
  // Keystatic injects <style> elements as it runs: allowed on its page alone (a refused one would be a console error).
  expect(response!.headers()['content-security-policy']).toContain("style-src-elem 'self' 'unsafe-inline'");
  await expect(page.getByRole('textbox', { name: field })).toBeVisible({ timeout: 30_000 });
}

export async function save(page: Page) {
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/keystatic/update'));
  await page.getByRole('button', { name: 'Save' }).click();
  return saved;
}
