import { describe, expect, it } from 'vitest';
import { nextNightlyRun, previousNightlyRun } from '#lib/publishing/schedule.ts';

const at = (iso: string) => new Date(iso);

describe('the nightly rebuild runs at 00:05 UK time', () => {
  it('in winter (GMT) at 00:05 UTC', () => {
    expect(nextNightlyRun(at('2026-12-01T23:30:00Z')).toISOString()).toBe('2026-12-02T00:05:00.000Z');
    expect(previousNightlyRun(at('2026-12-01T23:30:00Z')).toISOString()).toBe('2026-12-01T00:05:00.000Z');
  });

  it('in summer (BST) at 23:05 UTC the day before', () => {
    expect(nextNightlyRun(at('2026-07-01T22:00:00Z')).toISOString()).toBe('2026-07-01T23:05:00.000Z');
    expect(nextNightlyRun(at('2026-07-01T23:05:00Z')).toISOString()).toBe('2026-07-02T23:05:00.000Z');
    expect(previousNightlyRun(at('2026-07-01T23:10:00Z')).toISOString()).toBe('2026-07-01T23:05:00.000Z');
  });

  it('across the clock changes', () => {
    // BST starts at 01:00 GMT on 29 March 2026: 00:05 that day is still GMT; the next is BST.
    expect(nextNightlyRun(at('2026-03-28T12:00:00Z')).toISOString()).toBe('2026-03-29T00:05:00.000Z');
    expect(nextNightlyRun(at('2026-03-29T00:06:00Z')).toISOString()).toBe('2026-03-29T23:05:00.000Z');
    // BST ends at 02:00 BST on 25 October 2026: 00:05 that day is still BST.
    expect(nextNightlyRun(at('2026-10-24T12:00:00Z')).toISOString()).toBe('2026-10-24T23:05:00.000Z');
    expect(nextNightlyRun(at('2026-10-24T23:06:00Z')).toISOString()).toBe('2026-10-26T00:05:00.000Z');
  });

  it('never twice for one instant: the next is always later, the previous never later', () => {
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 97 * 60 * 1000) {
      const now = new Date(t);
      const next = nextNightlyRun(now);
      const previous = previousNightlyRun(now);
      expect(next.getTime()).toBeGreaterThan(t);
      expect(previous.getTime()).toBeLessThanOrEqual(t);
      expect(next.getTime() - previous.getTime()).toBeGreaterThanOrEqual(23 * 3600 * 1000);
      expect(next.getTime() - previous.getTime()).toBeLessThanOrEqual(25 * 3600 * 1000);
    }
  });
});
