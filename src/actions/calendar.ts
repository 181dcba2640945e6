import { defineAction } from 'astro:actions';
import { getDb } from '#lib/db.ts';
import { requireActor } from '#lib/auth/guards.ts';
import { calendarFeedUrl, createCalendarFeed, revokeCalendarFeed } from '#lib/events/feeds.ts';

/**
 * A member's private calendar feed address (/members/events). Making one replaces any
 * earlier address; the new one is shown once, on the page the form returns to.
 */
export const calendar = {
  createFeed: defineAction({
    accept: 'form',
    handler: async (_input, context) => {
      const { user } = requireActor(context);
      const token = await createCalendarFeed(await getDb(), user.id, context.clientAddress);
      return { feedUrl: calendarFeedUrl(context.site ?? context.url, token) };
    },
  }),

  revokeFeed: defineAction({
    accept: 'form',
    handler: async (_input, context) => {
      const { user } = requireActor(context);
      return { revoked: await revokeCalendarFeed(await getDb(), user.id, context.clientAddress) };
    },
  }),
};
