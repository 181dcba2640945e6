import { ActionError, defineAction, type ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { getDb } from '#lib/db.ts';
import { audit } from '#lib/auth/audit.ts';
import { requireActor } from '#lib/auth/guards.ts';
import { safeNext } from '#lib/auth/next-url.ts';
import { forumActor } from '#lib/forum/access.ts';
import { markAllNotificationsRead, markNotificationRead } from '#lib/forum/notifications.ts';
import { notificationLevels } from '#lib/forum/levels.ts';
import { setCategoryLevel, setThreadLevel } from '#lib/forum/subscriptions.ts';

const id = (what: string) => z.coerce.number({ error: `Choose a ${what}` }).int().positive().max(Number.MAX_SAFE_INTEGER);
const level = z.enum(notificationLevels, { error: 'Choose Watching, Normal or Muted' });
/** Where to go back to afterwards: a path on this site only. */
const next = z.string().max(2000).optional();

/** A refused change of someone's subscription is recorded, like other refused access. */
async function refuse(context: ActionAPIContext, actorId: number, targetType: string, targetId: number, message: string): Promise<never> {
  await audit(await getDb(), {
    actorId,
    action: 'forum-notification-level',
    outcome: 'refused',
    targetType,
    targetId,
    ip: context.clientAddress,
    detail: { reason: 'not-found' },
  });
  throw new ActionError({ code: 'NOT_FOUND', message });
}

/**
 * The notifications page and the Watching / Normal / Muted forms. The forms post to
 * /notifications (src/components/forum/NotificationLevel.astro), which sends the member
 * back to `next`.
 */
export const notifications = {
  markRead: defineAction({
    accept: 'form',
    input: z.object({ id: id('notification'), next }),
    handler: async ({ id, next }, context) => {
      const { user } = requireActor(context);
      if (!(await markNotificationRead(await getDb(), user.id, id))) {
        throw new ActionError({ code: 'NOT_FOUND', message: 'That notification does not exist, or is not yours.' });
      }
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
      const db = await getDb();
      const result = await setThreadLevel(db, await forumActor(db, user.id), threadId, level);
      if (!result.ok) return refuse(context, user.id, 'thread', threadId, result.message);
      return { redirect: safeNext(next, '/notifications') };
    },
  }),

  setCategoryLevel: defineAction({
    accept: 'form',
    input: z.object({ categoryId: id('category'), level, next }),
    handler: async ({ categoryId, level, next }, context) => {
      const { user } = requireActor(context);
      const db = await getDb();
      const result = await setCategoryLevel(db, await forumActor(db, user.id), categoryId, level);
      if (!result.ok) return refuse(context, user.id, 'category', categoryId, result.message);
      return { redirect: safeNext(next, '/notifications') };
    },
  }),
};
