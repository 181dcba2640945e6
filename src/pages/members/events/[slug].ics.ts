import type { APIRoute } from 'astro';
import { requireMember } from '#lib/auth/guards.ts';
import { CALENDAR_CONTENT_TYPE, eventsCalendar } from '#lib/events/calendar.ts';
import { eventUrl, getMembersEvent } from '#lib/events/library.ts';
import { siteName } from '#lib/site.ts';

export const prerender = false;

/** One members' event as a calendar file, for a signed-in member (the page's "Add to your calendar"). */
export const GET: APIRoute = async (context) => {
  const member = requireMember(context);
  if (member instanceof Response) return member;
  const event = await getMembersEvent(context.params.slug);
  if (!event?.data.start) return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const site = context.site ?? context.url;
  const body = eventsCalendar([event], { name: `${event.data.title} – ${siteName}`, site, eventUrl: (e) => new URL(eventUrl(e), site).href, detail: 'full' });
  return new Response(body, {
    headers: { 'Content-Type': CALENDAR_CONTENT_TYPE, 'Content-Disposition': `attachment; filename="${event.id}.ics"`, 'Cache-Control': 'private, no-store' },
  });
};
