/**
 * When the nightly rebuild runs: 00:05 UK time (Europe/London), every day, through the
 * same publish path as an editor's publish, so scheduled entries appear and review
 * notices show on their day without cron. British Summer Time is taken from the
 * platform's time-zone data, not from a fixed offset.
 */
export const NIGHTLY_TIME = { hour: 0, minute: 5 } as const;

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
});

/** The calendar date and time in London at an instant. */
function inLondon(at: Date): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = Object.fromEntries(londonParts.formatToParts(at).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute) };
}

/** The instant it is `hour:minute` in London on a London calendar date (London is UTC or UTC+1). */
function londonTime(year: number, month: number, day: number, hour: number, minute: number): Date {
  for (const offsetHours of [0, 1]) {
    const candidate = new Date(Date.UTC(year, month - 1, day, hour - offsetHours, minute));
    const local = inLondon(candidate);
    if (local.day === day && local.hour === hour && local.minute === minute) return candidate;
  }
  // 00:05 always exists in London (the clocks change at 01:00 and 02:00); be safe anyway.
  return new Date(Date.UTC(year, month - 1, day, hour, minute));
}

/** The next nightly rebuild strictly after `now`. */
export function nextNightlyRun(now: Date): Date {
  const today = inLondon(now);
  const todays = londonTime(today.year, today.month, today.day, NIGHTLY_TIME.hour, NIGHTLY_TIME.minute);
  if (todays.getTime() > now.getTime()) return todays;
  // Tomorrow's London date: noon today in London plus a day never crosses two dates.
  const tomorrow = inLondon(new Date(londonTime(today.year, today.month, today.day, 12, 0).getTime() + 24 * 60 * 60 * 1000));
  return londonTime(tomorrow.year, tomorrow.month, tomorrow.day, NIGHTLY_TIME.hour, NIGHTLY_TIME.minute);
}

/** The most recent nightly time at or before `now` (a server that was down then catches up at start). */
export function previousNightlyRun(now: Date): Date {
  const today = inLondon(now);
  const todays = londonTime(today.year, today.month, today.day, NIGHTLY_TIME.hour, NIGHTLY_TIME.minute);
  if (todays.getTime() <= now.getTime()) return todays;
  const yesterday = inLondon(new Date(londonTime(today.year, today.month, today.day, 12, 0).getTime() - 24 * 60 * 60 * 1000));
  return londonTime(yesterday.year, yesterday.month, yesterday.day, NIGHTLY_TIME.hour, NIGHTLY_TIME.minute);
}
