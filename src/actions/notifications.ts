import { z } from 'zod';
import { safeNext } from '#lib/auth/next-url.ts';
import { forumActorOf } from '#lib/forum/access.ts';
import { notificationLevels } from '#lib/forum/levels.ts';
import { markAllNotificationsRead, markNotificationRead } from '#lib/forum/notifications.ts';
import { setCategoryLevel, setThreadLevel } from '#lib/forum/subscriptions.ts';
import { idField } from '#lib/params.ts';
import { memberAction } from './define.ts';
import { parseForm, refusalError } from './errors.ts';

const id = (what: string) => idField(`Choose a ${what}`);
const level = z.enum(notificationLevels, { error: 'Choose Watching, Normal or Muted' });
/** Where to go back to afterwards: a path on this site only. */
const next = z.string().max(2000).optional();

/**
 * The notifications page and the Watching / Normal / Muted forms. Each checks the caller
 * is a signed-in member before it reads the form (memberAction). The forms post to
 * /notifications (src/components/forum/NotificationLevel.astro), which sends the member
 * back to `next`. A thread or category out of reach is "not found" (audited by lib).
 */
export const notifications = {
  markRead: memberAction({}, async ({ db, user }, form, context) => {
    const input = parseForm(z.object({ id: id('notification'), next }), form);
    const result = await markNotificationRead(db, user.id, input.id);
    if (!result.ok) throw refusalError(context, result);
    return { redirect: safeNext(input.next, '/notifications') };
  }),

  markAllRead: memberAction({}, async ({ db, user }) => {
    await markAllNotificationsRead(db, user.id);
    return { redirect: '/notifications?done=all' };
  }),

  setThreadLevel: memberAction({}, async ({ db, user, ip }, form, context) => {
    const input = parseForm(z.object({ threadId: id('thread'), level, next }), form);
    const result = await setThreadLevel(db, forumActorOf(user), input.threadId, input.level, { ip });
    if (!result.ok) throw refusalError(context, result);
    return { redirect: safeNext(input.next, '/notifications') };
  }),

  setCategoryLevel: memberAction({}, async ({ db, user, ip }, form, context) => {
    const input = parseForm(z.object({ categoryId: id('category'), level, next }), form);
    const result = await setCategoryLevel(db, forumActorOf(user), input.categoryId, input.level, { ip });
    if (!result.ok) throw refusalError(context, result);
    return { redirect: safeNext(input.next, '/notifications') };
  }),
};
