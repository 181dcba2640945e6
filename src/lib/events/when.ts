import { z } from 'astro/zod';

/** Every event time the portal shows or exports is UK time. */
export const EVENT_TIME_ZONE = 'Europe/London';

/**
 * One end of an event, as the build understood it: the UK calendar day and, for a
 * timed event, the UK wall-clock time, plus the instant it stands for. An all-day
 * event has no time; its `at` is midnight UK time starting the day (for a start) or the
 * day after (for an end), so instants always compare the right way.
 */
export interface EventTime {
  /** "2017-10-30" (UK date). */
  day: string;
  /** "15:00" (UK time), or null for an all-day event. */
  time: string | null;
  at: Date;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_AND_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})$/;
const FORMAT_HINT = 'write a day as 2017-10-30, or a day and UK time as "2017-10-30T15:00"';

/**
 * Frontmatter `start` / `end`: "2017-10-30T15:00" (UK time; British Summer Time or GMT
 * as it was on that day) or a whole day, 2017-10-30. YAML reads a bare day as a Date at
 * UTC midnight, which is taken as that day; a YAML timestamp with seconds or a zone is
 * refused, because its meaning (UTC or UK time?) is ambiguous. A UK time that did not
 * exist (clocks going forward) or happened twice (clocks going back) is refused too.
 * Converting needs Temporal (Node 26), which only the build uses: the running server
 * reads the converted values.
 */
export function eventTimeSchema(side: 'start' | 'end') {
  return z.union([z.string(), z.date()], { error: FORMAT_HINT }).transform((value, ctx): EventTime => {
    let day: string;
    let time: string | null = null;
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime()) || value.getTime() % 86_400_000 !== 0) {
        ctx.addIssue({ code: 'custom', message: `has seconds or a time zone; ${FORMAT_HINT}` });
        return z.NEVER;
      }
      day = value.toISOString().slice(0, 10);
    } else {
      const timed = DAY_AND_TIME.exec(value.trim());
      if (timed) {
        day = timed[1]!;
        time = `${timed[2]}:${timed[3]}`;
      } else if (DAY.test(value.trim())) {
        day = value.trim();
      } else {
        ctx.addIssue({ code: 'custom', message: FORMAT_HINT });
        return z.NEVER;
      }
    }
    let plainDay: Temporal.PlainDate;
    try {
      plainDay = Temporal.PlainDate.from(day, { overflow: 'reject' });
    } catch {
      ctx.addIssue({ code: 'custom', message: `${day} is not a day in the calendar; ${FORMAT_HINT}` });
      return z.NEVER;
    }
    if (time === null) {
      const midnight = (side === 'end' ? plainDay.add({ days: 1 }) : plainDay).toZonedDateTime(EVENT_TIME_ZONE);
      return { day, time, at: new Date(midnight.epochMilliseconds) };
    }
    const [hour, minute] = time.split(':').map(Number) as [number, number];
    if (hour > 23 || minute > 59) {
      ctx.addIssue({ code: 'custom', message: `${time} is not a time of day; ${FORMAT_HINT}` });
      return z.NEVER;
    }
    let zoned: Temporal.ZonedDateTime;
    try {
      zoned = plainDay.toPlainDateTime({ hour, minute }).toZonedDateTime(EVENT_TIME_ZONE, { disambiguation: 'reject' });
    } catch {
      ctx.addIssue({ code: 'custom', message: `${day} ${time} is not one moment in UK time (the clocks change that night, so it is skipped or happens twice); choose another time` });
      return z.NEVER;
    }
    return { day, time, at: new Date(zoned.epochMilliseconds) };
  });
}

/** The span an event covers, or null while its date is to be confirmed. */
export interface EventSpan {
  start: EventTime;
  end: EventTime;
  allDay: boolean;
}

/** The schema makes `end` required with `start` and of the same kind (day or time). */
export function eventSpan(data: { start?: EventTime; end?: EventTime }): EventSpan | null {
  if (!data.start || !data.end) return null;
  return { start: data.start, end: data.end, allDay: data.start.time === null };
}
