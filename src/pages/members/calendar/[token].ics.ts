import type { APIRoute } from 'astro';
import { getDb } from '#lib/db.ts';
import { CALENDAR_CONTENT_TYPE, eventsCalendar } from '#lib/events/calendar.ts';
import { memberForCalendarToken } from '#lib/events/feeds.ts';
import { eventUrl, getMembersEvents } from '#lib/events/library.ts';
import { siteName } from '#lib/site.ts';

export const prerender = false;

/**
 * A member's private calendar feed: the address is the key, because calendar apps
 * cannot send our session cookie. A malformed, unknown, revoked or tampered token, or
 * a suspended member's, gets the same bare 404, so the address reveals nothing. The
 * feed holds members' events' titles and times only.
 */
export const GET: APIRoute = async (context) => {
  const member = await memberForCalendarToken(await getDb(), context.params.token);
  if (!member) return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
  const site = context.site ?? context.url;
  const body = eventsCalendar(await getMembersEvents(), {
    name: `${siteName}: members’ events`,
    site,
    eventUrl: (e) => new URL(eventUrl(e), site).href,
    detail: 'titles-and-times',
  });
  return new Response(body, {
    headers: {
      'Content-Type': CALENDAR_CONTENT_TYPE,
      // Members' data: no shared cache may keep it; the token must not leak through a Referer either.
      'Cache-Control': 'private, no-store',
      'Referrer-Policy': 'no-referrer',
    },
  });
};
