import type { EventSpan } from './when.ts';

// The day and time strings are already UK ones (the build converted them), so no time
// zone arithmetic happens here: the weekday of a calendar date is the same everywhere.
const dayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "Thursday 3 September 2015" (GOV.UK style: no comma after the weekday). */
export function dayInWords(day: string): string {
  const parts = dayFormat.formatToParts(new Date(`${day}T00:00:00Z`));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}`;
}

/**
 * When an event happens, in words, UK time:
 * - "Thursday 3 September 2015, 10:00 to 16:00"
 * - "Friday 21 April 2017, 15:00 to Sunday 23 April 2017, 12:00"
 * - "Monday 18 October 2027" (all day) or "Friday 21 April 2017 to Sunday 23 April 2017"
 * - "Date to be confirmed"
 */
export function eventDatesInWords(span: EventSpan | null): string {
  if (!span) return 'Date to be confirmed';
  const { start, end } = span;
  if (span.allDay) return start.day === end.day ? dayInWords(start.day) : `${dayInWords(start.day)} to ${dayInWords(end.day)}`;
  if (start.day === end.day) return `${dayInWords(start.day)}, ${start.time} to ${end.time}`;
  return `${dayInWords(start.day)}, ${start.time} to ${dayInWords(end.day)}, ${end.time}`;
}
