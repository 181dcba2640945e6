import { defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import { getDb } from '#lib/db.ts';
import { requireActor } from '#lib/auth/guards.ts';
import { safeNext } from '#lib/auth/next-url.ts';
import { forumActorOf } from '#lib/forum/access.ts';
import { notificationLevels } from '#lib/forum/levels.ts';
import { markAllNotificationsRead, markNotificationRead } from '#lib/forum/notifications.ts';
import { setCategoryLevel, setThreadLevel } from '#lib/forum/subscriptions.ts';
import { refusalError } from './errors.ts';

const id = (what: string) => z.coerce.number({ error: `Choose a ${what}` }).int().positive().max(Number.MAX_SAFE_INTEGER);
const level = z.enum(notificationLevels, { error: 'Choose Watching, Normal or Muted' });
/** Where to go back to afterwards: a path on this site only. */
const next = z.string().max(2000).optional();

/**
 * The notifications page and the Watching / Normal / Muted forms. The forms post to
 * /notifications (src/components/forum/NotificationLevel.astro), which sends the member
 * back to `next`. A thread or category out of reach is "not found" (audited by lib).
 */
export const notifications = {
  markRead: defineAction({
    accept: 'form',
    input: z.object({ id: id('notification'), next }),
    handler: async ({ id, next }, context) => {
      const { user } = requireActor(context);
      const result = await markNotificationRead(await getDb(), user.id, id);
      if (!result.ok) throw refusalError(context, result);
      return { redirect: safeNext(next, '/notifications') };
    },
  }),

  markAllRead: defineAction({
    accept: 'form',
    handler: async (_input, context) => {
      const { user } = requireActor(context);
      await markAllNotificationsRead(await getDb(), user.id);
      return { redirect: '/notifications?done=all' };
    },
  }),

  setThreadLevel: defineAction({
    accept: 'form',
    input: z.object({ threadId: id('thread'), level, next }),
    handler: async ({ threadId, level, next }, context) => {
      const { user } = requireActor(context);
      const result = await setThreadLevel(await getDb(), forumActorOf(user), threadId, level, { ip: context.clientAddress });
      if (!result.ok) throw refusalError(context, result);
      return { redirect: safeNext(next, '/notifications') };
    },
  }),

  setCategoryLevel: defineAction({
    accept: 'form',
    input: z.object({ categoryId: id('category'), level, next }),
    handler: async ({ categoryId, level, next }, context) => {
      const { user } = requireActor(context);
      const result = await setCategoryLevel(await getDb(), forumActorOf(user), categoryId, level, { ip: context.clientAddress });
      if (!result.ok) throw refusalError(context, result);
      return { redirect: safeNext(next, '/notifications') };
    },
  }),
};
