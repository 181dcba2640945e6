import { subscriptionLevels } from '#db/schema.ts';

/**
 * How much a member hears about a thread or a category (Discourse's notification levels):
 * - watching: every new post, besides mentions, quotes and replies;
 * - normal: only mentions of them, quotes of their posts and replies to them;
 * - muted: nothing at all, mentions included.
 */
export type NotificationLevel = (typeof subscriptionLevels)[number];
export const notificationLevels = subscriptionLevels;

export const levelLabels: Record<NotificationLevel, string> = {
  watching: 'Watching: tell me about every new post',
  normal: 'Normal: only when someone mentions me, quotes me or replies to me',
  muted: 'Muted: never tell me about it',
};

/**
 * A member's level for one thread: the thread's own level when they chose one (posting
 * chooses watching), else the category's, else normal. So a muted thread stays silent in
 * a watched category, and a watched thread speaks in a muted one.
 */
export function effectiveLevel(threadLevel: NotificationLevel | null | undefined, categoryLevel: NotificationLevel | null | undefined): NotificationLevel {
  return threadLevel ?? categoryLevel ?? 'normal';
}
