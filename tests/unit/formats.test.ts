/**
 * The shared formatters (made once per module, src/lib/time.ts, src/lib/numbers.ts,
 * src/lib/content/dates.ts) write exactly what a formatter made for each call wrote, in
 * both halves of the UK year and across the clock changes.
 */
import { describe, expect, it } from 'vitest';
import { formatDate } from '#lib/content/dates.ts';
import { formatCount } from '#lib/numbers.ts';
import { formatDateTime, formatMonthYear } from '#lib/time.ts';

const instants = [
  '2026-01-15T00:00:00Z',
  '2026-03-29T00:59:59Z', // the last second of GMT before the clocks go forward
  '2026-03-29T01:00:00Z',
  '2026-06-30T23:30:00Z', // already 1 July in UK time
  '2026-10-25T00:30:00Z',
  '2026-10-25T01:30:00Z', // 01:30 GMT after the clocks go back
  '2026-12-31T23:59:00Z',
].map((iso) => new Date(iso));

describe('shared formatters', () => {
  it('formatDateTime writes what a new formatter per call wrote ("3 Sept 2026, 14:05", UK time)', () => {
    for (const d of instants) {
      expect(formatDateTime(d)).toBe(new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' }).format(d));
    }
    expect(formatDateTime(new Date('2026-06-30T23:30:00Z'))).toBe('1 Jul 2026, 00:30');
  });

  it('formatDateTime gives a kept minute the same text, and the next minute its own, past the number kept', () => {
    const fresh = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' });
    const start = Date.parse('2026-10-24T22:00:00Z'); // runs through the clocks going back
    for (let i = 0; i < 12_000; i += 1) {
      const early = new Date(start + i * 60_000);
      const late = new Date(start + i * 60_000 + 59_999);
      expect(formatDateTime(early)).toBe(fresh.format(early));
      expect(formatDateTime(late)).toBe(fresh.format(early));
    }
    expect(formatDateTime(new Date('1969-12-31T23:59:30Z'))).toBe('1 Jan 1970, 00:59'); // British Standard Time then
  });

  it('formatMonthYear and formatDate write what a new formatter per call wrote', () => {
    for (const d of instants) {
      expect(formatMonthYear(d)).toBe(new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'Europe/London' }).format(d));
      expect(formatDate(d)).toBe(new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d));
    }
    expect(formatMonthYear(new Date('2026-06-30T23:30:00Z'))).toBe('July 2026');
    expect(formatDate(new Date('2015-09-03T12:00:00Z'))).toBe('3 September 2015');
  });

  it('formatCount writes what toLocaleString("en-GB") wrote', () => {
    for (const n of [0, 7, 999, 1_000, 20_000, 123_456, 10_000_000, -4_321, 2.5]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-GB'));
    }
    expect(formatCount(20_000)).toBe('20,000');
  });
});
