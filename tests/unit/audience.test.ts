import { describe, expect, it } from 'vitest';
import { isPublic, isPublishedPublicly, isReleased } from '#lib/content/audience.ts';

const now = new Date('2026-11-29T12:00:00Z');
const production = { now, production: true };
const dev = { now, production: false };
const entry = { draft: false, published: new Date('2026-11-01'), audience: 'public' as const };

describe('what a build releases', () => {
  it('releases a dated, finished entry', () => {
    expect(isReleased(entry, production)).toBe(true);
  });
  it('leaves drafts out of production builds but shows them in development', () => {
    expect(isReleased({ ...entry, draft: true }, production)).toBe(false);
    expect(isReleased({ ...entry, draft: true }, dev)).toBe(true);
  });
  it('leaves entries dated in the future out of production builds', () => {
    expect(isReleased({ ...entry, published: new Date('2026-11-30') }, production)).toBe(false);
    expect(isReleased({ ...entry, published: new Date('2026-11-29T12:00:00Z') }, production)).toBe(true);
    expect(isReleased({ ...entry, published: new Date('2026-11-30') }, dev)).toBe(true);
  });
});

describe('the audience rule', () => {
  it('only public entries are public', () => {
    expect(isPublic({ audience: 'public' })).toBe(true);
    expect(isPublic({ audience: 'members' })).toBe(false);
  });
  it('a members entry is never published publicly, even in development', () => {
    expect(isPublishedPublicly({ ...entry, audience: 'members' }, production)).toBe(false);
    expect(isPublishedPublicly({ ...entry, audience: 'members' }, dev)).toBe(false);
    expect(isPublishedPublicly(entry, production)).toBe(true);
  });
});
