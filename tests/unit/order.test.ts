import { describe, expect, it } from 'vitest';
import { lastChanged, recentFirst } from '#lib/content/order.ts';
import { orderSources } from '#lib/content/cited-sources.ts';

const entry = (title: string, published: string, updated?: string) => ({
  data: { title, published: new Date(published), updated: updated ? new Date(updated) : undefined },
});

describe('recent work first', () => {
  it('puts the entry changed most recently first, whether newly published or updated', () => {
    const old = entry('Old and untouched', '2026-01-01');
    const corrected = entry('Old but corrected', '2026-01-01', '2026-12-01');
    const fresh = entry('Published last week', '2026-11-24');
    expect([old, fresh, corrected].sort(recentFirst).map((e) => e.data.title)).toEqual(['Old but corrected', 'Published last week', 'Old and untouched']);
    expect(lastChanged(corrected.data)).toEqual(new Date('2026-12-01'));
  });

  it('breaks ties by the newer publication, then by title, so the order is stable', () => {
    const a = entry('Beta', '2026-11-29', '2026-12-01');
    const b = entry('Alpha', '2026-11-29', '2026-12-01');
    const c = entry('Gamma', '2026-11-30', '2026-12-01');
    expect([a, b, c].sort(recentFirst).map((e) => e.data.title)).toEqual(['Gamma', 'Alpha', 'Beta']);
  });
});

describe('the order of a Sources section', () => {
  it('lists legislation and government first, then police, then charities, then the rest, keeping the cited order within each', () => {
    const cited = [
      { id: 'news', kind: 'other' as const },
      { id: 'helpline', kind: 'charity' as const },
      { id: 'guidance', kind: 'government' as const },
      { id: 'force', kind: 'police' as const },
      { id: 'act', kind: 'legislation' as const },
      { id: 'circular', kind: 'government' as const },
    ];
    expect(orderSources(cited).map((s) => s.id)).toEqual(['act', 'guidance', 'circular', 'force', 'helpline', 'news']);
  });
});
