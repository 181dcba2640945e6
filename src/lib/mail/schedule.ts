/**
 * Digest times are wall-clock times in Europe/London ("07:00"), whatever the server's own
 * time zone and across the clock changes. A slot is the instant that time last came round:
 * daily, or on Mondays for the weekly digest. Formatters are made once (creating
 * one costs ~65 µs).
 */
const london = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  weekday: 'short',
  hourCycle: 'h23',
});

const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

export function londonClock(instant: Date): WallClock {
  const parts = Object.fromEntries(london.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: weekdays.indexOf(parts.weekday!),
  };
}

/** London's offset from UTC at an instant, in ms (0 in winter, one hour in summer). */
function offsetAt(instant: number): number {
  const c = londonClock(new Date(instant));
  return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant London's clocks show `hour`:00 on a day (day may overflow, as in Date.UTC).
 * On the spring change 01:00 does not exist: the result is then 02:00 summer time.
 */
export function londonTime(year: number, month: number, day: number, hour: number): Date {
  const guess = Date.UTC(year, month - 1, day, hour);
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

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
