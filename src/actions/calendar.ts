import { calendarFeedUrl, createCalendarFeed, revokeCalendarFeed } from '#lib/events/feeds.ts';
import { memberAction } from './define.ts';

/**
 * A member's private calendar feed address (/members/events), for signed-in members only
 * (memberAction). Making one replaces any earlier address; the new one is shown once, on
 * the page the form returns to.
 */
export const calendar = {
  createFeed: memberAction({}, async ({ db, user, ip }, _form, context) => {
    const token = await createCalendarFeed(db, user.id, ip);
    return { feedUrl: calendarFeedUrl(context.site ?? context.url, token) };
  }),

  revokeFeed: memberAction({}, async ({ db, user, ip }) => ({ revoked: await revokeCalendarFeed(db, user.id, ip) })),
};
