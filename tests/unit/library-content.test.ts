/**
 * Checks of the real library in content/: rules a build cannot see but a reader relies
 * on. Every published entry names its sources, every named source is in the register
 * with the day it was checked, a "checked" date in the text is never later than the
 * entry's last change, and links between entries lead somewhere. It warns (and only
 * warns) when an entry reads above the reading age its collection aims at.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFrontmatter } from 'astro/markdown';
import { describe, expect, it } from 'vitest';
import { readSourceRecords } from '#lib/content/cited-sources.ts';
import { lastChanged } from '#lib/content/order.ts';
import { readability, readingAgeAim } from '#lib/content/readability.ts';
import { awarenessSchema, guideSchema, newsSchema, sourceSchema, type EntryData } from '#lib/content/schemas.ts';
import { collectionNames } from '#lib/content/taxonomy.ts';

const contentDir = fileURLToPath(new URL('../../content', import.meta.url));
const schemas = { guides: guideSchema, awareness: awarenessSchema, news: newsSchema } as const;

const entries = collectionNames.flatMap((collection) =>
  readdirSync(join(contentDir, collection))
    .filter((name) => name.endsWith('.mdx'))
    .map((name) => {
      const { frontmatter, content } = parseFrontmatter(readFileSync(join(contentDir, collection, name), 'utf8'), { frontmatter: 'remove' });
      const data: EntryData = schemas[collection].parse(frontmatter);
      return { collection, path: `${collection}/${name}`, url: `/${collection}/${name.replace(/\.mdx$/, '')}`, data, body: content };
    }),
);
const published = entries.filter((e) => !e.data.draft);
const register = readSourceRecords(contentDir);

const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** Dates written in the text as "checked … 1 December 2026" (within a sentence). */
function checkedDates(text: string): Date[] {
  const pattern = new RegExp(`[Cc]hecked[^.\\n]{0,60}?(\\d{1,2}) (${months.join('|')}) (\\d{4})`, 'g');
  return [...text.matchAll(pattern)].map((m) => new Date(Date.UTC(Number(m[3]), months.indexOf(m[2]!), Number(m[1]))));
}

describe('the sources register', () => {
  it.each(Object.entries(register))('%s is a complete record, checked no later than today', (_id, record) => {
    const parsed = sourceSchema.parse(record);
    expect(parsed.checked.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('has no record that no entry cites', () => {
    const cited = new Set(entries.flatMap((e) => e.data.sources));
    expect(Object.keys(register).filter((id) => !cited.has(id))).toEqual([]);
  });
});

describe.each(published.map((e) => [e.path, e] as const))('%s', (_path, entry) => {
  it('names at least one source, each in the register', () => {
    expect(entry.data.sources.length, 'add `sources:` with ids from content/sources.yaml').toBeGreaterThan(0);
    expect(entry.data.sources.filter((id) => !(id in register)), 'ids missing from content/sources.yaml').toEqual([]);
  });

  it('was not changed after its "checked" dates were written without saying so', () => {
    for (const checked of checkedDates(entry.body)) {
      expect(checked.getTime(), `a "checked" date in the text is later than updated/published`).toBeLessThanOrEqual(lastChanged(entry.data).getTime());
    }
  });

  it('links only to entries that exist', () => {
    const known = new Set(entries.map((e) => e.url));
    const links = [...entry.body.matchAll(/\]\((\/(?:guides|awareness|news)\/[^)#\s]+)/g)].map((m) => m[1]!);
    expect(links.filter((href) => !known.has(href))).toEqual([]);
  });
});

describe('reading age', () => {
  it('is stated for every published entry, with a warning for each above its collection’s aim', () => {
    const over: string[] = [];
    for (const entry of published) {
      const { words, readingAge } = readability(entry.body);
      expect(words, entry.path).toBeGreaterThan(0);
      expect(Number.isFinite(readingAge), entry.path).toBe(true);
      const aim = readingAgeAim(entry.collection, entry.data);
      if (readingAge > aim) over.push(`${entry.path}: reading age about ${readingAge.toFixed(1)}, aim at most ${aim}`);
    }
    // Advice, not a rule: long official names raise the score (see README, "Content tests").
    if (over.length > 0) console.warn(`Reading age above the aim (${over.length} of ${published.length} entries):\n  ${over.join('\n  ')}`);
  });
});
