import { and, asc, eq, sql } from 'drizzle-orm';
import { categories, readStates, threads, type Category } from '#db/schema.ts';
import { preparedQuery, type Queryable } from '#lib/db.ts';
import type { ForumActor } from './access.ts';
import { canSeeCategory, visibleThreadsSql } from './permissions.ts';

export interface CategorySummary {
  category: Category;
  threadCount: number;
  postCount: number;
  lastActivityAt: Date | null;
  /** Threads with posts this member has not read. */
  unreadCount: number;
}

/** The categories a member may see, in order, with counts and their unread threads. */
export async function listCategories(db: Queryable, actor: ForumActor): Promise<CategorySummary[]> {
  const rows = await db
    .select({
      category: categories,
      threadCount: sql<number>`count(${threads.id})`,
      postCount: sql<number>`coalesce(sum(${threads.replyCount} + 1), 0)`,
      lastActivityAt: sql<number | null>`max(${threads.bumpedAt})`,
      unreadCount: sql<number>`coalesce(sum(${threads.highestPostNumber} > coalesce(${readStates.lastReadPostNumber}, 0)), 0)`,
    })
    .from(categories)
    .leftJoin(threads, and(eq(threads.categoryId, categories.id), visibleThreadsSql(actor)))
    .leftJoin(readStates, and(eq(readStates.threadId, threads.id), eq(readStates.userId, actor.id)))
    .groupBy(categories.id)
    .orderBy(asc(categories.position), asc(categories.name))
    .all();
  return rows
    .filter((r) => canSeeCategory(actor, r.category))
    .map((r) => ({ ...r, lastActivityAt: r.lastActivityAt === null ? null : new Date(r.lastActivityAt) }));
}

const categoryBySlug = preparedQuery((db) => db.select().from(categories).where(eq(categories.slug, sql.placeholder('slug'))).prepare());

/** A category by slug, or null when it does not exist or this member may not see it. */
export async function findVisibleCategory(db: Queryable, actor: ForumActor, slug: string): Promise<Category | null> {
  const category = await categoryBySlug(db).get({ slug });
  return category && canSeeCategory(actor, category) ? category : null;
}

/**
 * Where `actor` could start a thread that mentions `other` and reaches them: the
 * categories both may see. A mention of someone who cannot see the category tells nobody
 * (decision 010), so the profile page's "Mention in a new thread" offers only these.
 */
export async function categoriesSharedWith(db: Queryable, actor: ForumActor, other: Pick<ForumActor, 'role' | 'organisationType'>): Promise<Category[]> {
  const all = await db.select().from(categories).orderBy(asc(categories.position), asc(categories.name)).all();
  return all.filter((category) => canSeeCategory(actor, category) && canSeeCategory(other, category));
}
