import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { eventSchema } from '#lib/content/schemas.ts';
import { eventsCalendar } from '#lib/events/calendar.ts';
import type { EventEntry } from '#lib/events/library.ts';
import { nextEvents, upcomingAndPast } from '#lib/events/schedule.ts';
import { eventSpan } from '#lib/events/when.ts';
import { dayInWords, eventDatesInWords } from '#lib/events/words.ts';

const base = {
  title: 'A fixture event for the tests',
  summary: 'An event that exists only in the unit tests of the portal.',
  published: '2026-01-01',
  audience: 'public',
  topics: ['multi-agency'],
  regions: ['national'],
  owner: 'National Modern Slavery Network',
  location: 'Leeds',
  organiser: 'A test organiser',
};

const parse = (fields: Record<string, unknown>) => eventSchema.safeParse({ ...base, ...fields });
const errors = (fields: Record<string, unknown>) => {
  const result = parse(fields);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('event times (UK time, converted once at build)', () => {
  it('turns a UK time into the right instant on both sides of a clock change', () => {
    // British Summer Time ended at 02:00 on 29 October 2017.
    const bst = parse({ start: '2017-10-28T15:00', end: '2017-10-28T17:00' });
    const gmt = parse({ start: '2017-10-30T15:00', end: '2017-10-30T17:00' });
    expect(bst.success && bst.data.start!.at.toISOString()).toBe('2017-10-28T14:00:00.000Z');
    expect(gmt.success && gmt.data.start!.at.toISOString()).toBe('2017-10-30T15:00:00.000Z');
    // And it began at 01:00 on 26 March 2017.
    const spring = parse({ start: '2017-03-26T09:00', end: '2017-03-26T10:00' });
    expect(spring.success && spring.data.start!.at.toISOString()).toBe('2017-03-26T08:00:00.000Z');
  });

  it('keeps an event that runs across the clock change the right length', () => {
    const overnight = parse({ start: '2017-10-28T22:00', end: '2017-10-29T06:00' });
    expect(overnight.success).toBe(true);
    if (overnight.success) expect(overnight.data.end!.at.getTime() - overnight.data.start!.at.getTime()).toBe(9 * 3600_000);
  });

  it('takes a whole day from YAML (a Date at UTC midnight) or from text, ending at the next UK midnight', () => {
    const day = parse({ start: new Date('2027-10-18T00:00:00Z'), end: '2027-10-18' });
    expect(day.success).toBe(true);
    if (!day.success) return;
    expect(day.data.start).toEqual({ day: '2027-10-18', time: null, at: new Date('2027-10-17T23:00:00Z') });
    expect(day.data.end).toEqual({ day: '2027-10-18', time: null, at: new Date('2027-10-18T23:00:00Z') });
  });

  it('accepts an event whose date is still to be confirmed', () => {
    const tbc = parse({});
    expect(tbc.success).toBe(true);
    expect(tbc.success && eventSpan(tbc.data)).toBeNull();
  });

  it.each([
    ['a UK time that never happened (clocks forward)', { start: '2017-03-26T01:30', end: '2017-03-26T03:00' }, 'start: 2017-03-26 01:30 is not one moment in UK time'],
    ['a UK time that happened twice (clocks back)', { start: '2017-10-29T01:30', end: '2017-10-29T03:00' }, 'start: 2017-10-29 01:30 is not one moment in UK time'],
    ['an end before the start', { start: '2017-10-30T17:00', end: '2017-10-30T15:00' }, 'end: must be later than start'],
    ['a last day before the first', { start: '2020-02-14', end: '2020-02-13' }, 'end: must be later than start'],
    ['a start without an end', { start: '2017-10-30T15:00' }, 'end: is needed when start is given'],
    ['an end without a start', { end: '2017-10-30' }, 'start: is needed when end is given'],
    ['a day with a timed end', { start: '2017-10-30', end: '2017-10-30T17:00' }, 'end: must be a day if start is a day'],
    ['a time with seconds read by YAML as UTC', { start: new Date('2017-10-30T15:00:00Z'), end: '2017-10-30T17:00' }, 'start: has seconds or a time zone'],
    ['a day that does not exist', { start: '2017-02-30', end: '2017-02-30' }, 'start: 2017-02-30 is not a day in the calendar'],
    ['a time that is not a time', { start: '2017-10-30T25:00', end: '2017-10-30T26:00' }, 'start: 25:00 is not a time of day'],
    ['words', { start: 'next Tuesday', end: 'next Tuesday' }, 'start: write a day as 2017-10-30'],
    ['a booking that is neither an address nor "by invitation"', { booking: 'ask Sam' }, 'booking: must be a web address (https://…) or "by invitation"'],
  ])('refuses %s, naming the field', (_what, fields, message) => {
    expect(errors(fields).join('\n')).toContain(message);
  });
});

describe('dates in words', () => {
  const span = (start: string, end: string) => {
    const result = parse({ start, end });
    if (!result.success) throw result.error;
    return eventSpan(result.data);
  };
  it('writes days the GOV.UK way', () => {
    expect(dayInWords('2015-09-03')).toBe('Thursday 3 September 2015');
  });
  it('writes each shape of event', () => {
    expect(eventDatesInWords(span('2015-09-03T10:00', '2015-09-03T16:00'))).toBe('Thursday 3 September 2015, 10:00 to 16:00');
    expect(eventDatesInWords(span('2017-04-21T15:00', '2017-04-23T12:00'))).toBe('Friday 21 April 2017, 15:00 to Sunday 23 April 2017, 12:00');
    expect(eventDatesInWords(span('2027-10-18', '2027-10-18'))).toBe('Monday 18 October 2027');
    expect(eventDatesInWords(span('2020-02-13', '2020-02-14'))).toBe('Thursday 13 February 2020 to Friday 14 February 2020');
    expect(eventDatesInWords(null)).toBe('Date to be confirmed');
  });
});

describe('calendar files', () => {
  const entry = (id: string, fields: Record<string, unknown>): EventEntry => {
    const result = parse(fields);
    if (!result.success) throw result.error;
    return { id, collection: 'events', data: result.data } as EventEntry;
  };
  const site = new URL('https://portal.example.org');
  const write = (events: EventEntry[], detail: 'full' | 'titles-and-times' = 'full') =>
    eventsCalendar(events, { name: 'Test calendar', site, eventUrl: (e) => `https://portal.example.org/events/${e.id}`, detail });
  const read = (text: string) => new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  const uk = (t: ICAL.Time) => Temporal.Instant.fromEpochMilliseconds(t.toJSDate().getTime()).toZonedDateTimeISO('Europe/London').toPlainDateTime().toString({ smallestUnit: 'minute' });

  it('writes UK times that read back the same on both sides of a clock change', () => {
    const [before, after] = read(write([entry('before', { start: '2017-10-28T15:00', end: '2017-10-28T17:00' }), entry('after', { start: '2017-10-30T15:00', end: '2017-10-30T17:00' })]));
    expect([uk(before!.startDate), uk(before!.endDate)]).toEqual(['2017-10-28T15:00', '2017-10-28T17:00']);
    expect([uk(after!.startDate), uk(after!.endDate)]).toEqual(['2017-10-30T15:00', '2017-10-30T17:00']);
    expect(before!.uid).toBe('before@portal.example.org');
  });

  it('writes all-day events as dates with the day after as the end, and leaves out undated ones', () => {
    const events = read(write([entry('day', { start: '2020-02-13', end: '2020-02-14' }), entry('tbc', {})]));
    expect(events).toHaveLength(1);
    expect(events[0]!.startDate.isDate).toBe(true);
    expect([events[0]!.startDate.toString(), events[0]!.endDate.toString()]).toEqual(['2020-02-13', '2020-02-15']);
  });

  it('says when an event is cancelled or postponed', () => {
    const [cancelled, postponed] = read(write([entry('c', { start: '2027-01-05', end: '2027-01-05', status: 'cancelled' }), entry('p', { start: '2027-01-06', end: '2027-01-06', status: 'postponed' })]));
    expect([cancelled!.summary, cancelled!.component.getFirstPropertyValue('status')]).toEqual(['Cancelled: A fixture event for the tests', 'CANCELLED']);
    expect([postponed!.summary, postponed!.component.getFirstPropertyValue('status')]).toEqual(['Postponed: A fixture event for the tests', 'TENTATIVE']);
  });

  it('gives titles and times only in the members’ feed', () => {
    const full = read(write([entry('x', { start: '2027-01-05', end: '2027-01-05' })]))[0]!;
    const minimal = read(write([entry('x', { start: '2027-01-05', end: '2027-01-05' })], 'titles-and-times'))[0]!;
    expect(full.location).toBe('Leeds');
    expect(full.description).toContain('An event that exists only in the unit tests');
    expect(minimal.location).toBeNull();
    expect(minimal.description).toBeNull();
    expect(minimal.summary).toBe('A fixture event for the tests');
  });
});

describe('upcoming and past', () => {
  const at = (title: string, fields: Record<string, unknown>) => {
    const result = parse({ title, ...fields });
    if (!result.success) throw result.error;
    return { data: result.data };
  };
  const titles = (events: { data: { title: string } }[]) => events.map((e) => e.data.title);
  const now = new Date('2026-12-01T12:00:00Z');
  const events = [
    at('Undated planning meeting', {}),
    at('Long past conference', { start: '2015-09-03', end: '2015-09-03' }),
    at('Recent seminar event', { start: '2026-11-30T10:00', end: '2026-11-30T12:00' }),
    at('Happening today all day', { start: '2026-12-01', end: '2026-12-01' }),
    at('Cancelled January meeting', { start: '2027-01-10', end: '2027-01-10', status: 'cancelled' }),
    at('February network meeting', { start: '2027-02-01T10:00', end: '2027-02-01T12:00' }),
  ];

  it('lists upcoming events soonest first, undated last, and past ones most recent first', () => {
    const { upcoming, past } = upcomingAndPast(events, now);
    expect(titles(upcoming)).toEqual(['Happening today all day', 'Cancelled January meeting', 'February network meeting', 'Undated planning meeting']);
    expect(titles(past)).toEqual(['Recent seminar event', 'Long past conference']);
  });

  it('offers the next two events that are going ahead', () => {
    expect(titles(nextEvents(events, now))).toEqual(['Happening today all day', 'February network meeting']);
  });

  it('counts an all-day event as over only after midnight UK time', () => {
    // 23:30 UTC on 1 December is still 1 December in the UK (GMT); 00:30 UTC in June is 01:30 BST the next day.
    expect(titles(upcomingAndPast(events, new Date('2026-12-01T23:30:00Z')).upcoming)).toContain('Happening today all day');
    const summer = at('Summer day', { start: '2027-06-10', end: '2027-06-10' });
    expect(titles(upcomingAndPast([summer], new Date('2027-06-10T22:59:00Z')).upcoming)).toEqual(['Summer day']);
    expect(titles(upcomingAndPast([summer], new Date('2027-06-10T23:00:00Z')).past)).toEqual(['Summer day']);
  });
});
