/**
 * When the nightly rebuild runs: 00:05 UK time (Europe/London), every day, through the
 * same publish path as an editor's publish, so scheduled entries appear and review
 * notices show on their day without cron. London wall-clock arithmetic is in time.ts.
 */
import { londonClock, londonTime } from '#lib/time.ts';

export const NIGHTLY_TIME = { hour: 0, minute: 5 } as const;

/** The nightly time on the London calendar date `dayOffset` days from `now`'s. */
function nightlyOn(now: Date, dayOffset: number): Date {
  const c = londonClock(now);
  return londonTime(c.year, c.month, c.day + dayOffset, NIGHTLY_TIME.hour, NIGHTLY_TIME.minute);
}

/** The next nightly rebuild strictly after `now`. */
export function nextNightlyRun(now: Date): Date {
  const todays = nightlyOn(now, 0);
  return todays.getTime() > now.getTime() ? todays : nightlyOn(now, 1);
}

/** The most recent nightly time at or before `now` (a server that was down then catches up at start). */
export function previousNightlyRun(now: Date): Date {
  const todays = nightlyOn(now, 0);
  return todays.getTime() <= now.getTime() ? todays : nightlyOn(now, -1);
}
