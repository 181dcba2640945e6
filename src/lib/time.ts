/**
 * Times shown to people, in UK time: "3 Sept 2026, 14:05". The formatter is made once:
 * making one costs far more than using it (measured at ~65 µs against ~1.3 µs), and a
 * thread page formats a time per post. Using it still cost 3.5 % of a thread page's CPU
 * under load (bench/README.md), so each minute's text is kept: the same posts' times are
 * shown to every member who reads them.
 */
const ukDateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' });
const shownMinutes = new Map<number, string>();
const SHOWN_MINUTES_KEPT = 10_000;

export function formatDateTime(d: Date): string {
  const minute = Math.floor(d.getTime() / 60_000);
  let text = shownMinutes.get(minute);
  if (text === undefined) {
    text = ukDateTime.format(d);
    if (shownMinutes.size >= SHOWN_MINUTES_KEPT) shownMinutes.clear();
    shownMinutes.set(minute, text);
  }
  return text;
}

const ukMonthYear = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'Europe/London' });

/** "March 2026": when someone joined. */
export function formatMonthYear(d: Date): string {
  return ukMonthYear.format(d);
}

/*
 * London wall-clock arithmetic, shared by every schedule (the nightly rebuild, mail
 * digests): times are Europe/London whatever the server's own zone, and British Summer
 * Time comes from the platform's time-zone data, not from a fixed offset.
 */
const londonParts = new Intl.DateTimeFormat('en-GB', {
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

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

/** What London's clocks and calendar show at an instant. */
export function londonClock(instant: Date): WallClock {
  const parts = Object.fromEntries(londonParts.formatToParts(instant).map((p) => [p.type, p.value]));
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
 * The instant London's clocks show `hour:minute` on a day (day may overflow, as in
 * Date.UTC, so `day + 1` is tomorrow). A time the spring change skips (01:00–01:59) comes
 * out an hour later, in summer time.
 */
export function londonTime(year: number, month: number, day: number, hour: number, minute = 0): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}
