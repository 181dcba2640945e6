import { and, asc, desc, eq, ne, sql } from 'drizzle-orm';
import { categories, categorySubscriptions, threadSubscriptions, threads } from '#db/schema.ts';
import { preparedQuery, write, type Database, type Queryable } from '#lib/db.ts';
import { refuse, type Result } from '#lib/result.ts';
import { notFound, type ForumActor } from './access.ts';
import { auditRefusal, type RequestOptions } from './audit.ts';
import { canSeeCategory, canSeeCategorySql, visibleThreadsSql } from './permissions.ts';
import type { NotificationLevel } from './levels.ts';
import { findVisibleThread } from './threads.ts';

const threadLevel = preparedQuery((db) =>
  db
    .select({ level: threadSubscriptions.level })
    .from(threadSubscriptions)
    .where(and(eq(threadSubscriptions.userId, sql.placeholder('userId')), eq(threadSubscriptions.threadId, sql.placeholder('threadId'))))
    .prepare(),
);

export async function threadLevelOf(db: Queryable, userId: number, threadId: number): Promise<NotificationLevel | null> {
  return (await threadLevel(db).get({ userId, threadId }))?.level ?? null;
}

const categoryLevel = preparedQuery((db) =>
  db
    .select({ level: categorySubscriptions.level })
    .from(categorySubscriptions)
    .where(and(eq(categorySubscriptions.userId, sql.placeholder('userId')), eq(categorySubscriptions.categoryId, sql.placeholder('categoryId'))))
    .prepare(),
);

export async function categoryLevelOf(db: Queryable, userId: number, categoryId: number): Promise<NotificationLevel | null> {
  return (await categoryLevel(db).get({ userId, categoryId }))?.level ?? null;
}

export type SetLevelResult = Result;

/** Sets the member's level for a thread they can see; any other thread is "not found" (audited). */
export async function setThreadLevel(db: Database, actor: ForumActor, threadId: number, level: NotificationLevel, options: RequestOptions = {}): Promise<SetLevelResult> {
  if (!(await findVisibleThread(db, actor, threadId))) return auditRefusal(db, actor, 'forum-notification-level', { type: 'thread', id: threadId }, notFound, options);
  await write(db, (tx) =>
    tx
      .insert(threadSubscriptions)
      .values({ userId: actor.id, threadId, level })
      .onConflictDoUpdate({ target: [threadSubscriptions.userId, threadSubscriptions.threadId], set: { level } }),
  );
  return { ok: true };
}

/** Sets the member's level for a category they can see; any other category is "not found" (audited). */
export async function setCategoryLevel(db: Database, actor: ForumActor, categoryId: number, level: NotificationLevel, options: RequestOptions = {}): Promise<SetLevelResult> {
  const category = await db.select().from(categories).where(eq(categories.id, categoryId)).get();
  if (!category || !canSeeCategory(actor, category)) {
    return auditRefusal(db, actor, 'forum-notification-level', { type: 'category', id: categoryId }, refuse('not-found', 'That category does not exist, or you cannot see it.'), options);
  }
  await write(db, (tx) =>
    tx
      .insert(categorySubscriptions)
      .values({ userId: actor.id, categoryId, level })
      .onConflictDoUpdate({ target: [categorySubscriptions.userId, categorySubscriptions.categoryId], set: { level } }),
  );
  return { ok: true };
}

/** How many followed threads the notifications page lists (the most recently active). */
export const FOLLOWED_THREADS_MAX = 25;

/**
 * The categories and threads a member chose a level other than normal for, that they
 * can still see: the notifications page lists them so levels can be changed in one place.
 */
export async function listFollowed(db: Queryable, actor: ForumActor) {
  const member = { role: actor.role, organisationType: actor.organisationType };
  const visible = canSeeCategorySql(member, { allowedRoles: categories.allowedRoles, allowedOrganisationTypes: categories.allowedOrganisationTypes });
  const followedCategories = await db
    .select({ id: categories.id, name: categories.name, slug: categories.slug, level: categorySubscriptions.level })
    .from(categorySubscriptions)
    .innerJoin(categories, eq(categories.id, categorySubscriptions.categoryId))
    .where(and(eq(categorySubscriptions.userId, actor.id), ne(categorySubscriptions.level, 'normal'), visible))
    .orderBy(asc(categories.position), asc(categories.name))
    .all();
  const followedThreads = await db
    .select({ id: threads.id, title: threads.title, slug: threads.slug, categoryName: categories.name, level: threadSubscriptions.level })
    .from(threadSubscriptions)
    .innerJoin(threads, eq(threads.id, threadSubscriptions.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .where(and(eq(threadSubscriptions.userId, actor.id), ne(threadSubscriptions.level, 'normal'), visible, visibleThreadsSql(actor)))
    .orderBy(desc(threads.bumpedAt), desc(threads.id))
    .limit(FOLLOWED_THREADS_MAX)
    .all();
  return { categories: followedCategories, threads: followedThreads };
}
