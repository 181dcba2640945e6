import { eventSpan, type EventTime } from './when.ts';

/** What ordering needs of an event: pure, so pages and unit tests share the rules. */
export interface Schedulable {
  data: { title: string; start?: EventTime; end?: EventTime; status: string };
}

/** Dated events by start; those still to be confirmed after them, by title. */
export function byDate(a: Schedulable, b: Schedulable): number {
  const [sa, sb] = [a.data.start?.at.getTime(), b.data.start?.at.getTime()];
  if (sa !== undefined && sb !== undefined) return sa - sb || a.data.title.localeCompare(b.data.title);
  if (sa !== undefined) return -1;
  if (sb !== undefined) return 1;
  return a.data.title.localeCompare(b.data.title);
}

/**
 * Upcoming (not yet over, soonest first, dates still to be confirmed last) and past
 * (most recent first). An event is past once its end has gone by; one happening now is
 * still upcoming. Prerendered pages judge this when the site is built.
 */
export function upcomingAndPast<E extends Schedulable>(events: readonly E[], now: Date): { upcoming: E[]; past: E[] } {
  const upcoming: E[] = [];
  const past: E[] = [];
  for (const e of [...events].sort(byDate)) {
    const span = eventSpan(e.data);
    (span && span.end.at.getTime() <= now.getTime() ? past : upcoming).push(e);
  }
  return { upcoming, past: past.reverse() };
}

/** The next `count` upcoming events that are going ahead (not cancelled or postponed), for the home page. */
export function nextEvents<E extends Schedulable>(events: readonly E[], now: Date, count = 2): E[] {
  return upcomingAndPast(events, now).upcoming.filter((e) => e.data.status === 'scheduled').slice(0, count);
}
