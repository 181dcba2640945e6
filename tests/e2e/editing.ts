/** Helpers for the browser editor's tests: a guide of the test's own, and Keystatic's form. */
import { writeFileSync } from 'node:fs';
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

export async function openInEditor(page: Page, slug: string) {
  allowConsoleErrors(page, BLOCKED_FONT);
  const response = await page.goto(`/keystatic/collection/guides/item/${slug}`);
  // Keystatic injects <style> elements as it runs: allowed on its page alone (a refused one would be a console error).
  expect(response!.headers()['content-security-policy']).toContain("style-src-elem 'self' 'unsafe-inline'");
  await expect(page.getByRole('textbox', { name: 'Summary' })).toBeVisible({ timeout: 30_000 });
}

export async function save(page: Page) {
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/keystatic/update'));
  await page.getByRole('button', { name: 'Save' }).click();
  return saved;
}
