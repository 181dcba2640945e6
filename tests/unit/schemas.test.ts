import { describe, expect, it } from 'vitest';
import { guideSchema, newsSchema } from '../../src/lib/content/schemas';

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

function errorsOf(result: ReturnType<typeof guideSchema.safeParse>) {
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
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
    for (const kind of ['news', 'workshop-report', 'event']) expect(newsSchema.safeParse({ ...news, kind }).success).toBe(true);
  });
  it('rejects an unknown kind', () => {
    expect(newsSchema.safeParse({ ...news, kind: 'gossip' }).success).toBe(false);
  });
});
