import type { APIRoute, GetStaticPaths } from 'astro';
import { CALENDAR_CONTENT_TYPE, eventsCalendar } from '#lib/events/calendar.ts';
import { eventUrl, getPublicEvents, type EventEntry } from '#lib/events/library.ts';
import { siteName } from '#lib/site.ts';

/** One public event as a calendar file, written at build time beside its page. Events still to be confirmed have none. */
export const getStaticPaths = (async () => {
  const events = await getPublicEvents();
  return events.filter((event) => event.data.start).map((event) => ({ params: { slug: event.id }, props: { event } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute = ({ props, site }) => {
  const { event } = props as { event: EventEntry };
  const body = eventsCalendar([event], { name: `${event.data.title} – ${siteName}`, site: site!, eventUrl: (e) => new URL(eventUrl(e), site).href, detail: 'full' });
  return new Response(body, { headers: { 'Content-Type': CALENDAR_CONTENT_TYPE } });
};
