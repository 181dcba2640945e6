import type { APIRoute } from 'astro';
import { CALENDAR_CONTENT_TYPE, eventsCalendar } from '#lib/events/calendar.ts';
import { eventUrl, getPublicEvents } from '#lib/events/library.ts';
import { siteName } from '#lib/site.ts';

/** The public events calendar feed: every dated public event, past and future, written at build time. */
export const GET: APIRoute = async ({ site }) => {
  const body = eventsCalendar(await getPublicEvents(), { name: `${siteName} events`, site: site!, eventUrl: (e) => new URL(eventUrl(e), site).href, detail: 'full' });
  return new Response(body, { headers: { 'Content-Type': CALENDAR_CONTENT_TYPE } });
};
