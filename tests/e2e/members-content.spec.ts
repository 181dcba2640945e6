import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { test, expect } from './fixtures.ts';
import { e2eClientDir as clientDir, fixtures } from './test-content.ts';

const { sentence: MEMBERS_SENTENCE, slug: MEMBERS_GUIDE, words: MEMBERS_WORDS } = fixtures.membersGuide;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

/** File text as a browser would get it: Pagefind's index chunks are gzip-compressed. */
function readable(path: string): string {
  const bytes = readFileSync(path);
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (gzipped ? gunzipSync(bytes) : bytes).toString('utf8');
}

test('the members-only guide is nowhere in the public build', () => {
  const source = readFileSync(fileURLToPath(new URL(`../fixtures/content/guides/${MEMBERS_GUIDE}.mdx`, import.meta.url)), 'utf8');
  expect(source, 'the fixture sentence is still in the members guide').toContain(MEMBERS_SENTENCE);
  const leaks = [...files(clientDir)].filter((path) => {
    const text = readable(path);
    return text.includes(MEMBERS_WORDS) || text.includes(MEMBERS_GUIDE);
  });
  expect(leaks).toEqual([]);
});

test('the public search does not find the members-only guide, and its URL is not served', async ({ page }) => {
  await page.goto(`/search?q=${encodeURIComponent(`${MEMBERS_WORDS} members`)}`);
  await expect(page.getByRole('status')).toContainText('result');
  await expect(page.locator(`.results a[href*="${MEMBERS_GUIDE}"]`)).toHaveCount(0);
  await expect(page.locator('.results', { hasText: MEMBERS_WORDS })).toHaveCount(0);
  const response = await page.goto(`/guides/${MEMBERS_GUIDE}`);
  expect(response?.status()).toBe(404);
});
