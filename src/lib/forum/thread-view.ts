/**
 * What a thread page needs besides its posts: where this member stopped reading, moving
 * that forward as they read, and the text a "Quote" link puts in the reply box.
 */
import { and, eq, sql } from 'drizzle-orm';
import { categories, categorySubscriptions, posts, readStates, threadSubscriptions, threads, users, type Thread } from '#db/schema.ts';
import { preparedQuery, write, type Database, type Queryable } from '#lib/db.ts';
import type { ForumActor } from './access.ts';
import { effectiveLevel, type NotificationLevel } from './levels.ts';
import { canQuotePost, canSeeThread } from './permissions.ts';
import { findVisibleThread, markRead, type VisibleThread } from './threads.ts';
import { postPermalink } from './urls.ts';
import { markThreadNotificationsRead } from './notifications.ts';

export interface OpenedThread extends VisibleThread {
  /** The highest post number this member has read in the thread (0: never opened it). */
  lastRead: number;
  /** Their notification level for it, as the notification rules apply it (levels.ts `effectiveLevel`). */
  level: NotificationLevel;
}

const threadForMember = preparedQuery((db) =>
  db
    .select({
      thread: threads,
      category: categories,
      lastRead: readStates.lastReadPostNumber,
      threadLevel: threadSubscriptions.level,
      categoryLevel: categorySubscriptions.level,
    })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .leftJoin(readStates, and(eq(readStates.threadId, threads.id), eq(readStates.userId, sql.placeholder('userId'))))
    .leftJoin(threadSubscriptions, and(eq(threadSubscriptions.threadId, threads.id), eq(threadSubscriptions.userId, sql.placeholder('userId'))))
    .leftJoin(categorySubscriptions, and(eq(categorySubscriptions.categoryId, categories.id), eq(categorySubscriptions.userId, sql.placeholder('userId'))))
    .where(eq(threads.id, sql.placeholder('threadId')))
    .prepare(),
);

/**
 * The thread a page shows, if this member may see it (as `findVisibleThread`), with what
 * the page needs to know about them and it, in one query instead of four: where they
 * stopped reading and their notification level.
 */
export async function openThread(db: Queryable, actor: ForumActor, threadId: number): Promise<OpenedThread | null> {
  const row = await threadForMember(db).get({ threadId, userId: actor.id });
  if (!row || !canSeeThread(actor, row.thread, row.category)) return null;
  return { thread: row.thread, category: row.category, lastRead: row.lastRead ?? 0, level: effectiveLevel(row.threadLevel, row.categoryLevel) };
}

/** The highest post number this member has read in the thread (0: never opened it). */
export async function lastReadPostNumber(db: Queryable, userId: number, threadId: number): Promise<number> {
  const row = await db
    .select({ n: readStates.lastReadPostNumber })
    .from(readStates)
    .where(and(eq(readStates.userId, userId), eq(readStates.threadId, threadId)))
    .get();
  return row?.n ?? 0;
}

/** The first post this member has not read, or null when they are up to date. */
export function firstUnread(thread: Pick<Thread, 'highestPostNumber'>, lastRead: number): number | null {
  return thread.highestPostNumber > lastRead ? lastRead + 1 : null;
}

/** Marks the thread read up to the last post shown; writes only when that moves the mark forward. */
export async function markShownRead(db: Database, userId: number, threadId: number, lastRead: number, highestShown: number): Promise<void> {
  if (highestShown <= lastRead) return;
  await write(db, async (tx) => {
    await markRead(tx, userId, threadId, highestShown);
    // Reading the posts answers their notifications too.
    await markThreadNotificationsRead(tx, userId, threadId, highestShown);
  });
}

/** Backslash-escapes Markdown's punctuation, so a member's name is shown as written. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|<>~])/g, '\\$1');
}

const QUOTE_MAX = 3_000;

/**
 * The start of a reply quoting a post: who wrote it, a link to it, and its text as a
 * Markdown quote. Null when the post is not in this thread or its text is not this
 * member's to see (thread out of reach, post hidden or deleted).
 */
export async function quoteForReply(db: Queryable, actor: ForumActor, threadId: number, postNumber: number): Promise<string | null> {
  if (!(await findVisibleThread(db, actor, threadId))) return null;
  const row = await db
    .select({ post: posts, authorName: users.displayName })
    .from(posts)
    .leftJoin(users, eq(users.id, posts.authorId))
    .where(and(eq(posts.threadId, threadId), eq(posts.postNumber, postNumber)))
    .get();
  if (!row || !canQuotePost(actor, row.post)) return null;
  const raw = row.post.raw.length > QUOTE_MAX ? `${row.post.raw.slice(0, QUOTE_MAX)}…` : row.post.raw;
  const quoted = raw
    .split('\n')
    .map((line) => (line.trim() ? `> ${line}` : '>'))
    .join('\n');
  const who = escapeMarkdown(row.authorName ?? 'A former member');
  return `${who} wrote in [post ${postNumber}](${postPermalink(row.post.id)}):\n\n${quoted}\n\n`;
}
