/**
 * Checks of the real library in content/ (every collection, resources and events
 * included): rules a build cannot see but a reader relies
 * on. Every published entry names its sources, every named source is in the register
 * with the day it was checked, a "checked" date in the text is never later than the
 * entry's last change, and links between entries lead somewhere. It warns (and only
 * warns) when a guide, awareness page or news item reads above the reading age its
 * collection aims at.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readSourceRecords } from '#lib/content/cited-sources.ts';
import { lastChanged } from '#lib/content/order.ts';
import { readability, readingAgeAim, readingAgeAims } from '#lib/content/readability.ts';
import { sourceSchema, type EntryData } from '#lib/content/schemas.ts';
import { parseSource, readSources } from '#lib/content/sources.ts';

const contentDir = fileURLToPath(new URL('../../content', import.meta.url));

// Every collection's entries (guides, awareness, news, resources, events), as the build reads them.
const entries = readSources(contentDir).map((file) => {
  const parsed = parseSource(file);
  if (!parsed.ok) throw new Error(parsed.error);
  const path = `/${file.collection}/${parsed.id}`;
  const data: EntryData = parsed.data;
  return { collection: file.collection, path: `${file.collection}/${file.relPath}`, url: data.audience === 'members' ? `/members${path}` : path, data, body: parsed.body };
});
const published = entries.filter((e) => !e.data.draft);
const register = readSourceRecords(contentDir);

const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** Dates written in the text as "checked … 1 December 2026" (within a sentence). */
function checkedDates(text: string): Date[] {
  const pattern = new RegExp(`[Cc]hecked[^.\\n]{0,60}?(\\d{1,2}) (${months.join('|')}) (\\d{4})`, 'g');
  return [...text.matchAll(pattern)].map((m) => new Date(Date.UTC(Number(m[3]), months.indexOf(m[2]!), Number(m[1]))));
}

/**
 * Numbers a service can change or drop (helplines, relay prefixes, the police's 101):
 * every section (the text under one heading) that gives one says when it was checked.
 * 999 is left out: it is the fixed emergency number.
 */
const CHANGEABLE_NUMBER = /\b0\d{3,4}[ \u00a0]\d{3}[ \u00a0]\d{3,4}\b|\b1800[01]\b|\b101\b/;
function phoneSections(body: string): string[] {
  return body.split(/^(?=#{1,6} )/m).filter((section) => CHANGEABLE_NUMBER.test(section));
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

  it('says when it checked a phone number that can change, in the section that gives it', () => {
    const undated = phoneSections(entry.body).filter((section) => checkedDates(section).length === 0);
    expect(undated, 'add "(checked <day> <month> <year> on <site>)" beside the number').toEqual([]);
  });

  it('links only to entries that exist', () => {
    const known = new Set(entries.map((e) => e.url));
    const links = [...entry.body.matchAll(/\]\((\/(?:members\/)?(?:guides|awareness|news|resources|events)\/[^)#\s]+)/g)].map((m) => m[1]!);
    expect(links.filter((href) => !known.has(href))).toEqual([]);
  });
});

describe('reading age', () => {
  it('is stated for every published entry, with a warning for each above its collection’s aim', () => {
    const over: string[] = [];
    for (const entry of published) {
      if (!(entry.collection in readingAgeAims)) continue;
      const { words, readingAge } = readability(entry.body);
      expect(words, entry.path).toBeGreaterThan(0);
      expect(Number.isFinite(readingAge), entry.path).toBe(true);
      const aim = readingAgeAim(entry.collection as keyof typeof readingAgeAims, entry.data);
      if (readingAge > aim) over.push(`${entry.path}: reading age about ${readingAge.toFixed(1)}, aim at most ${aim}`);
    }
    // Advice, not a rule: long official names raise the score (see README, "Content tests").
    if (over.length > 0) console.warn(`Reading age above the aim (${over.length} of ${published.length} entries):\n  ${over.join('\n  ')}`);
  });
});
