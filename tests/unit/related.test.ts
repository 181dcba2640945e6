import { describe, expect, it } from 'vitest';
import { relatedEntries } from '#lib/content/related.ts';

const e = (collection: string, id: string, topics: string[], published: string) => ({
  collection,
  id,
  data: { topics, published: new Date(published) },
});

describe('related entries', () => {
  const self = e('guides', 'nrm', ['nrm', 'safeguarding'], '2026-01-01');
  const all = [
    self,
    e('awareness', 'nrm', ['nrm'], '2020-01-01'), // same id, other collection: not self
    e('news', 'old-both', ['nrm', 'safeguarding'], '2015-01-01'),
    e('news', 'new-both', ['safeguarding', 'nrm'], '2025-01-01'),
    e('guides', 'unrelated', ['prosecution'], '2026-02-01'),
    e('guides', 'one', ['safeguarding'], '2026-03-01'),
  ];

  it('ranks by shared topics, then newest, and leaves out the entry itself and unrelated ones', () => {
    expect(relatedEntries(self, all).map((x) => `${x.collection}/${x.id}`)).toEqual([
      'news/new-both',
      'news/old-both',
      'guides/one',
      'awareness/nrm',
    ]);
  });

  it('honours the limit', () => {
    expect(relatedEntries(self, all, 2)).toHaveLength(2);
  });
});
