import { describe, expect, it } from 'vitest';
import { awarenessSchema, guideSchema, newsSchema, sourceSchema } from '#lib/content/schemas.ts';

const guide = {
  title: 'Referring a potential victim',
  summary: 'How a first responder refers a potential victim into the NRM.',
  published: '2026-01-10',
  audience: 'public',
  topics: ['nrm'],
  regions: ['national'],
  owner: 'National Modern Slavery Network',
  reviewed: '2026-01-10',
  reviewDue: '2027-01-10',
  version: '1.0',
};

function errorsOf(result: { success: true } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return result.success ? [] : result.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
}

describe('guide frontmatter', () => {
  it('accepts a complete guide and turns dates into Dates', () => {
    const parsed = guideSchema.parse(guide);
    expect(parsed.published).toEqual(new Date('2026-01-10'));
    expect(parsed.draft).toBe(false);
  });

  it.each([
    ['a missing title', { title: undefined }, 'title'],
    ['an unknown topic', { topics: ['nrm', 'cooking'] }, 'topics.1'],
    ['no topics', { topics: [] }, 'topics'],
    ['an unknown region', { regions: ['atlantis'] }, 'regions.0'],
    ['an unknown audience', { audience: 'everyone' }, 'audience'],
    ['a date that is not a date', { published: 'last Tuesday' }, 'published'],
    ['a review due before the last review', { reviewDue: '2025-01-01' }, 'reviewDue'],
    ['a version that is not a number', { version: 'final' }, 'version'],
    ['a summary too short to describe the page', { summary: 'Short.' }, 'summary'],
    ['a source that is not an id', { sources: ['https://www.gov.uk/'] }, 'sources.0'],
  ])('rejects %s, naming the field', (_name, change, field) => {
    const errors = errorsOf(guideSchema.safeParse({ ...guide, ...change }));
    expect(errors.some((e) => e.startsWith(`${field}:`)), errors.join('\n')).toBe(true);
  });

  it('rejects a guide without review information', () => {
    const { reviewed: _r, reviewDue: _d, ...withoutReview } = guide;
    const errors = errorsOf(guideSchema.safeParse(withoutReview));
    expect(errors.map((e) => e.split(':')[0])).toEqual(expect.arrayContaining(['reviewed', 'reviewDue']));
  });
});

describe('news frontmatter', () => {
  const news = { ...guide, reviewed: undefined, reviewDue: undefined, version: undefined, kind: 'workshop-report' };
  it('accepts the known kinds', () => {
    for (const kind of ['news', 'workshop-report']) expect(newsSchema.safeParse({ ...news, kind }).success).toBe(true);
  });
  it('rejects an unknown kind', () => {
    expect(newsSchema.safeParse({ ...news, kind: 'gossip' }).success).toBe(false);
  });
  it('sends events to their own collection', () => {
    const result = newsSchema.safeParse({ ...news, kind: 'event' });
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['kind: must be news or workshop-report (an event is an entry of its own in content/events)']);
  });
});

describe('sources', () => {
  it('lets an entry name the sources it cites, and none by default', () => {
    expect(guideSchema.parse(guide).sources).toEqual([]);
    expect(guideSchema.parse({ ...guide, sources: ['ho-statutory-guidance', 'msa-2015-s52'] }).sources).toEqual(['ho-statutory-guidance', 'msa-2015-s52']);
  });

  const record = {
    publisher: 'legislation.gov.uk',
    title: 'Modern Slavery Act 2015, section 52',
    url: 'https://www.legislation.gov.uk/ukpga/2015/30/section/52',
    kind: 'legislation',
    checked: '2026-12-01',
  };

  it('accepts a register record and reads its checked date', () => {
    expect(sourceSchema.parse({ ...record, date: '26 March 2015' }).checked).toEqual(new Date('2026-12-01'));
  });

  it.each([
    ['an address that is not a web page', { url: 'javascript:alert(1)' }, 'url'],
    ['an unknown kind', { kind: 'blog' }, 'kind'],
    ['no checked date', { checked: undefined }, 'checked'],
  ])('rejects a record with %s', (_name, change, field) => {
    const result = sourceSchema.safeParse({ ...record, ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(field);
  });
});

describe('awareness frontmatter', () => {
  const { version: _v, ...awareness } = guide;
  const strategy = {
    audience: 'frontline-staff',
    objectives: ['Staff can name the main signs of modern slavery.'],
    evaluation: ['Number of staff trained, against the number planned.'],
  };

  it('needs review dates, like a guide, because awareness pages hold phone numbers', () => {
    expect(awarenessSchema.safeParse(awareness).success).toBe(true);
    const { reviewed: _r, reviewDue: _d, ...withoutReview } = awareness;
    expect(errorsOf(awarenessSchema.safeParse(withoutReview)).map((e) => e.split(':')[0])).toEqual(expect.arrayContaining(['reviewed', 'reviewDue']));
    expect(errorsOf(awarenessSchema.safeParse({ ...awareness, reviewDue: '2025-01-01' }))).toContain('reviewDue: must be later than reviewed');
  });

  it('accepts a strategy with an audience, objectives and measures, and leaves it out of other pages', () => {
    expect(awarenessSchema.parse({ ...awareness, strategy }).strategy).toEqual(strategy);
    expect(awarenessSchema.parse(awareness).strategy).toBeUndefined();
  });

  it.each([
    ['an unknown audience', { audience: 'everyone' }, 'strategy.audience'],
    ['no objectives', { objectives: [] }, 'strategy.objectives'],
    ['no way to measure what changed', { evaluation: undefined }, 'strategy.evaluation'],
  ])('rejects a strategy with %s, naming the field', (_name, change, field) => {
    const errors = errorsOf(awarenessSchema.safeParse({ ...awareness, strategy: { ...strategy, ...change } }));
    expect(errors.some((e) => e.startsWith(`${field}:`)), errors.join('\n')).toBe(true);
  });
});
