/**
 * Digest times are wall-clock times in Europe/London ("07:00"), whatever the server's own
 * time zone and across the clock changes. A slot is the instant that time last came round:
 * daily, or on Mondays for the weekly digest. London wall-clock arithmetic is in time.ts.
 */
import { londonClock, londonTime } from '#lib/time.ts';

/** The last time London's clocks showed `hour`:00, at or before `now`. */
export function lastDailySlot(now: Date, hour: number): Date {
  const c = londonClock(now);
  const today = londonTime(c.year, c.month, c.day, hour);
  return today.getTime() <= now.getTime() ? today : londonTime(c.year, c.month, c.day - 1, hour);
}

/** The last Monday `hour`:00 in London, at or before `now`. */
export function lastWeeklySlot(now: Date, hour: number): Date {
  const c = londonClock(now);
  const monday = londonTime(c.year, c.month, c.day - c.weekday, hour);
  return monday.getTime() <= now.getTime() ? monday : londonTime(c.year, c.month, c.day - c.weekday - 7, hour);
}
