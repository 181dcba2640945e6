import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { test, expect } from './fixtures.ts';

const clientDir = fileURLToPath(new URL('../../dist/client', import.meta.url));
const MEMBERS_SENTENCE = 'This members-only annex records the tabletop exercise timings agreed by the regional coordinators.';
const MEMBERS_GUIDE = 'debriefing-a-multi-agency-exercise';

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
  const source = readFileSync(fileURLToPath(new URL(`../../content/guides/${MEMBERS_GUIDE}.mdx`, import.meta.url)), 'utf8');
  expect(source, 'the fixture sentence is still in the members guide').toContain(MEMBERS_SENTENCE);
  const leaks = [...files(clientDir)].filter((path) => {
    const text = readable(path);
    return text.includes('tabletop exercise timings') || text.includes(MEMBERS_GUIDE);
  });
  expect(leaks).toEqual([]);
});

test('the public search does not find the members-only guide, and its URL is not served', async ({ page }) => {
  await page.goto('/search?q=tabletop%20exercise%20timings%20regional%20coordinators');
  await expect(page.getByRole('status')).toContainText('result');
  await expect(page.locator(`.results a[href*="${MEMBERS_GUIDE}"]`)).toHaveCount(0);
  await expect(page.locator('.results', { hasText: 'tabletop exercise timings' })).toHaveCount(0);
  const response = await page.goto(`/guides/${MEMBERS_GUIDE}`);
  expect(response?.status()).toBe(404);
});
