import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { categories, posts, readStates, threadSubscriptions, threads, users, type Category, type Thread } from '#db/schema.ts';
import { write, type Database, type Queryable, type Transaction } from '#lib/db.ts';
import { throttle } from '#lib/auth/throttle.ts';
import { canSeeCategory, isModerator, notFound, type ForumActor, type Refusal } from './access.ts';
import { POSTING_LIMIT, THREADS_PER_PAGE, slugify } from './limits.ts';
import { renderMarkdown } from './markdown.ts';
import { notifyForNewPost } from './notifications.ts';

export interface VisibleThread {
  thread: Thread;
  category: Category;
}

/**
 * A thread this member may see: its category is open to them, and it is not hidden
 * (moderators see hidden threads, marked). Anything else is "not found", so ids cannot
 * be probed.
 */
export async function findVisibleThread(db: Queryable, actor: ForumActor, threadId: number): Promise<VisibleThread | null> {
  const row = await db.select({ thread: threads, category: categories }).from(threads).innerJoin(categories, eq(categories.id, threads.categoryId)).where(eq(threads.id, threadId)).get();
  if (!row || !canSeeCategory(actor, row.category)) return null;
  if (row.thread.hiddenAt && !isModerator(actor)) return null;
  return row;
}

/** Counts a post against the member's posting limit. */
export async function checkPostingRate(db: Database, actor: ForumActor): Promise<Refusal | null> {
  const result = await throttle(db, [`forum-post:${actor.id}`], POSTING_LIMIT);
  if (result.allowed) return null;
  return {
    ok: false,
    reason: 'rate-limited',
    retryAfterSeconds: result.retryAfterSeconds,
    message: `You are posting too quickly. Wait ${result.retryAfterSeconds} seconds, then post again; your text is kept below.`,
  };
}

/** Posting subscribes you to the thread (watching), unless you chose a level already. */
export async function subscribeAuthor(tx: Transaction, userId: number, threadId: number): Promise<void> {
  await tx.insert(threadSubscriptions).values({ userId, threadId, level: 'watching' }).onConflictDoNothing();
}

/** Moves a member's read position forward (never back). */
export async function markRead(tx: Transaction | Database, userId: number, threadId: number, postNumber: number): Promise<void> {
  await tx
    .insert(readStates)
    .values({ userId, threadId, lastReadPostNumber: postNumber })
    .onConflictDoUpdate({
      target: [readStates.userId, readStates.threadId],
      set: { lastReadPostNumber: sql`max(${readStates.lastReadPostNumber}, excluded.last_read_post_number)` },
    });
}

export type CreateThreadResult = { ok: true; thread: Thread; postId: number } | Refusal;

/** Starts a thread: its first post, the author watching it, and read up to it. */
export async function createThread(
  db: Database,
  actor: ForumActor,
  input: { categoryId: number; title: string; body: string; guideKey?: string },
  now = new Date(),
): Promise<CreateThreadResult> {
  const category = await db.select().from(categories).where(eq(categories.id, input.categoryId)).get();
  if (!category || !canSeeCategory(actor, category)) return notFound;
  const limited = await checkPostingRate(db, actor);
  if (limited) return limited;
  const html = renderMarkdown(input.body);
  return write(db, async (tx) => {
    const [thread] = await tx
      .insert(threads)
      .values({ categoryId: category.id, title: input.title, slug: slugify(input.title), authorId: actor.id, createdAt: now, bumpedAt: now, highestPostNumber: 1, guideKey: input.guideKey ?? null })
      .returning();
    const [post] = await tx.insert(posts).values({ threadId: thread!.id, postNumber: 1, authorId: actor.id, raw: input.body, html, createdAt: now }).returning({ id: posts.id });
    await notifyForNewPost(tx, { actor, threadId: thread!.id, post: { id: post!.id, postNumber: 1, raw: input.body, replyToPostNumber: null } }, now);
    await subscribeAuthor(tx, actor.id, thread!.id);
    await markRead(tx, actor.id, thread!.id, 1);
    return { ok: true as const, thread: thread!, postId: post!.id };
  });
}

export interface ThreadListItem {
  thread: Thread;
  authorName: string | null;
  lastReadPostNumber: number | null;
}

/** A category's threads: pinned first, then by last activity; 25 a page. */
export async function listThreads(db: Queryable, actor: ForumActor, category: Category, page: number) {
  const visible = and(eq(threads.categoryId, category.id), isModerator(actor) ? undefined : isNull(threads.hiddenAt));
  const [{ total }] = (await db.select({ total: count() }).from(threads).where(visible).all()) as [{ total: number }];
  const items: ThreadListItem[] = await db
    .select({ thread: threads, authorName: users.displayName, lastReadPostNumber: readStates.lastReadPostNumber })
    .from(threads)
    .leftJoin(users, eq(users.id, threads.authorId))
    .leftJoin(readStates, and(eq(readStates.threadId, threads.id), eq(readStates.userId, actor.id)))
    .where(visible)
    .orderBy(desc(threads.pinned), desc(threads.bumpedAt), desc(threads.id))
    .limit(THREADS_PER_PAGE)
    .offset((page - 1) * THREADS_PER_PAGE)
    .all();
  return { items, total, pages: Math.max(1, Math.ceil(total / THREADS_PER_PAGE)) };
}
