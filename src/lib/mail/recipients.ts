/**
 * Who a message goes to, read when it is built (not when it was queued): a member
 * suspended or erased since gets nothing, and the forum's restrictions are applied to
 * their role and organisation as they are now.
 */
import { and, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { categories, categorySubscriptions, organisations, posts, threadSubscriptions, threads, users, type Role, type OrganisationType, type User } from '#db/schema.ts';
import type { Queryable } from '#lib/db.ts';
import { canReadPostText, canSeeThread } from '#lib/forum/permissions.ts';
import { effectiveLevel } from '#lib/forum/levels.ts';
import { postPermalink } from '#lib/forum/urls.ts';

export interface Recipient {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  organisationType: OrganisationType;
  status: User['status'];
}

export async function findRecipient(db: Queryable, userId: number): Promise<Recipient | null> {
  const row = await db
    .select({ id: users.id, email: users.email, displayName: users.displayName, role: users.role, organisationType: organisations.type, status: users.status })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.id, userId))
    .get();
  return row ?? null;
}

/** A post as forum mail may describe it to this member. */
export interface ForumPostForMail {
  postId: number;
  postNumber: number;
  threadTitle: string;
  categoryName: string;
  authorName: string;
  /** The post's permalink (it redirects to its page and anchor). */
  path: string;
  raw: string;
  html: string;
}

/**
 * The post, if this member may still read it now: the category is open to them, the post
 * is not deleted, neither it nor its thread is hidden (moderators see hidden ones, as in
 * the forum), and they have not muted the thread since. Otherwise null: nothing is sent.
 */
export async function findPostForMail(db: Queryable, recipient: Recipient, postId: number): Promise<ForumPostForMail | null> {
  const authors = alias(users, 'authors');
  const row = await db
    .select({ post: posts, thread: threads, category: categories, authorName: authors.displayName, threadLevel: threadSubscriptions.level, categoryLevel: categorySubscriptions.level })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .leftJoin(authors, eq(authors.id, posts.authorId))
    .leftJoin(threadSubscriptions, and(eq(threadSubscriptions.threadId, threads.id), eq(threadSubscriptions.userId, recipient.id)))
    .leftJoin(categorySubscriptions, and(eq(categorySubscriptions.categoryId, categories.id), eq(categorySubscriptions.userId, recipient.id)))
    .where(eq(posts.id, postId))
    .get();
  if (!row || !canSeeThread(recipient, row.thread, row.category) || !canReadPostText(recipient, row.post)) return null;
  if (effectiveLevel(row.threadLevel, row.categoryLevel) === 'muted') return null;
  return {
    postId: row.post.id,
    postNumber: row.post.postNumber,
    threadTitle: row.thread.title,
    categoryName: row.category.name,
    authorName: row.authorName ?? 'A former member',
    path: postPermalink(row.post.id),
    raw: row.post.raw,
    html: row.post.html,
  };
}
