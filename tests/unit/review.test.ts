import { describe, expect, it } from 'vitest';
import { DUE_SOON_DAYS, reviewStatus } from '#lib/content/review.ts';

const due = new Date('2026-06-30');

describe('review status of a guide', () => {
  it('is current well before the review date', () => {
    expect(reviewStatus(due, new Date('2026-01-01T09:00:00Z'))).toBe('current');
  });
  it(`is due soon within ${DUE_SOON_DAYS} days of it`, () => {
    expect(reviewStatus(due, new Date('2026-06-15T09:00:00Z'))).toBe('due-soon');
  });
  it('is still only due soon on the review day itself', () => {
    expect(reviewStatus(due, new Date('2026-06-30T23:59:59Z'))).toBe('due-soon');
  });
  it('is overdue from the next day', () => {
    expect(reviewStatus(due, new Date('2026-07-01T00:00:00Z'))).toBe('overdue');
    expect(reviewStatus(due, new Date('2028-01-01T00:00:00Z'))).toBe('overdue');
  });
});
