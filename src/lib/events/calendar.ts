import ical, { ICalEventStatus } from 'ical-generator';
import { eventStatuses } from '#lib/content/schemas.ts';
import { siteName } from '#lib/site.ts';
import { eventSpan, type EventTime } from './when.ts';
import { eventDatesInWords } from './words.ts';
import type { EventEntry } from './library.ts';

/** How a calendar file describes each event. */
export type CalendarDetail =
  /** Public events: title, times, place, summary and the page's address. */
  | 'full'
  /** The members' private feed: titles, times and status only, so a leaked address gives away little. */
  | 'titles-and-times';

export interface CalendarOptions {
  /** Shown by calendar apps as the calendar's name. */
  name: string;
  /** The public origin, for each event's UID and address. */
  site: URL;
  /** The page of each event, absolute. */
  eventUrl: (e: EventEntry) => string;
  detail: CalendarDetail;
}

const STATUS: Record<keyof typeof eventStatuses, ICalEventStatus> = {
  scheduled: ICalEventStatus.CONFIRMED,
  cancelled: ICalEventStatus.CANCELLED,
  // RFC 5545 has no "postponed": tentative, and said in the title.
  postponed: ICalEventStatus.TENTATIVE,
};

/** An all-day date goes out as a DATE value (no time zone at all): ical-generator reads it in UTC. */
const utcDay = (t: EventTime, plusDays = 0) => {
  const [y, m, d] = t.day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + plusDays));
};

/**
 * An iCalendar file (RFC 5545) of the events that have a date; events still "to be
 * confirmed" cannot be put in a calendar and are left out. Times are written in UTC
 * (`DTSTART:20171030T150000Z`): the build converted UK times to instants with the right
 * offset for each day (GMT or British Summer Time), and every calendar app shows UTC
 * times in its user's zone, so no VTIMEZONE block is needed. All-day events are DATE
 * values, with the exclusive end the standard asks for (the day after the last day).
 */
export function eventsCalendar(events: readonly EventEntry[], options: CalendarOptions): string {
  const calendar = ical({
    name: options.name,
    prodId: { company: siteName, product: 'Events', language: 'EN' },
    // Calendar apps that honour it check again every six hours.
    ttl: 6 * 60 * 60,
  });
  for (const event of events) {
    const span = eventSpan(event.data);
    if (!span) continue;
    const { data } = event;
    const prefix = data.status === 'scheduled' ? '' : `${eventStatuses[data.status]}: `;
    const url = options.eventUrl(event);
    calendar.createEvent({
      id: `${event.id}@${options.site.hostname}`,
      summary: `${prefix}${data.title}`,
      allDay: span.allDay,
      start: span.allDay ? utcDay(span.start) : span.start.at,
      end: span.allDay ? utcDay(span.end, 1) : span.end.at,
      status: STATUS[data.status],
      url,
      ...(options.detail === 'full'
        ? {
            location: data.location === 'online' ? 'Online' : data.location,
            description: [data.summary, `When (UK time): ${eventDatesInWords(span)}.`, `Organised by ${data.organiser}.`, url].join('\n\n'),
          }
        : {}),
    });
  }
  return calendar.toString();
}

/** How calendar files are served: as calendars, in UTF-8. */
export const CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8';
