import { and, count, desc, eq, sql } from 'drizzle-orm';
import { categories, readStates, threadSubscriptions, threads, users, type Category, type Role, type Thread } from '#db/schema.ts';
import { preparedQuery, type Database, type Queryable, type Transaction } from '#lib/db.ts';
import type { ForumActor } from './access.ts';
import { THREADS_PER_PAGE } from './limits.ts';
import { canModerate, canSeeCategorySql, canSeeThread, visibleThreadsSql } from './permissions.ts';

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
  const row = await threadWithCategory(db).get({ threadId });
  return row && canSeeThread(actor, row.thread, row.category) ? row : null;
}

const threadWithCategory = preparedQuery((db) =>
  db
    .select({ thread: threads, category: categories })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .where(eq(threads.id, sql.placeholder('threadId')))
    .prepare(),
);

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

export interface ThreadListItem {
  thread: Thread;
  authorName: string | null;
  lastReadPostNumber: number | null;
}

/** The count and the page of a category's threads, prepared once for members and once for moderators (who see hidden threads). */
const categoryThreads = (who: { role: Role }) => {
  const visible = and(eq(threads.categoryId, sql.placeholder('categoryId')), visibleThreadsSql(who));
  return {
    total: preparedQuery((db) => db.select({ total: count() }).from(threads).where(visible).prepare()),
    page: preparedQuery((db) =>
      db
        .select({ thread: threads, authorName: users.displayName, lastReadPostNumber: readStates.lastReadPostNumber })
        .from(threads)
        .leftJoin(users, eq(users.id, threads.authorId))
        .leftJoin(readStates, and(eq(readStates.threadId, threads.id), eq(readStates.userId, sql.placeholder('userId'))))
        .where(visible)
        .orderBy(desc(threads.pinned), desc(threads.bumpedAt), desc(threads.id))
        .limit(sql.placeholder('limit'))
        .offset(sql.placeholder('offset'))
        .prepare(),
    ),
  };
};
const categoryThreadsFor = { member: categoryThreads({ role: 'member' }), moderator: categoryThreads({ role: 'moderator' }) };

/** A category's threads: pinned first, then by last activity; 25 a page. */
export async function listThreads(db: Queryable, actor: ForumActor, category: Category, page: number) {
  const queries = categoryThreadsFor[canModerate(actor) ? 'moderator' : 'member'];
  const { total } = (await queries.total(db).get({ categoryId: category.id }))!;
  const items: ThreadListItem[] = await queries.page(db).all({ categoryId: category.id, userId: actor.id, limit: THREADS_PER_PAGE, offset: (page - 1) * THREADS_PER_PAGE });
  return { items, total, pages: Math.max(1, Math.ceil(total / THREADS_PER_PAGE)) };
}

export const RECENT_THREADS_MAX = 5;

/**
 * The threads a member started, newest first, that `viewer` may see (category open to
 * them, not hidden unless they moderate): a profile page lists these.
 */
export async function recentThreadsBy(db: Queryable, viewer: ForumActor, authorId: number, limit = RECENT_THREADS_MAX): Promise<{ thread: Thread; categoryName: string }[]> {
  return db
    .select({ thread: threads, categoryName: categories.name })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .where(
      and(
        eq(threads.authorId, authorId),
        visibleThreadsSql(viewer),
        canSeeCategorySql(viewer, { allowedRoles: categories.allowedRoles, allowedOrganisationTypes: categories.allowedOrganisationTypes }),
      ),
    )
    .orderBy(desc(threads.createdAt), desc(threads.id))
    .limit(limit)
    .all();
}
