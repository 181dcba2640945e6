import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import { posts, threads, users, type Post } from '#db/schema.ts';
import { write, type Database, type Queryable } from '#lib/db.ts';
import { isModerator, notFound, type ForumActor, type Refusal } from './access.ts';
import { POSTS_PER_PAGE } from './limits.ts';
import { pageOfPost } from './urls.ts';
import { renderMarkdown } from './markdown.ts';
import { notifyForNewPost } from './notifications.ts';
import { checkPostingRate, findVisibleThread, markRead, subscribeAuthor } from './threads.ts';

export type CreateReplyResult = { ok: true; post: Post } | Refusal;

/**
 * Adds a reply at the end of a thread. Its number is the thread's highest plus one,
 * taken inside the write transaction, so concurrent replies never share a number and
 * the counts stay exact.
 */
export async function createReply(
  db: Database,
  actor: ForumActor,
  input: { threadId: number; body: string; replyToPostNumber?: number },
  now = new Date(),
): Promise<CreateReplyResult> {
  const visible = await findVisibleThread(db, actor, input.threadId);
  if (!visible) return notFound;
  if (visible.thread.locked && !isModerator(actor)) {
    return { ok: false, reason: 'locked', message: 'This thread is locked: it no longer takes replies. Your text is kept below.' };
  }
  const limited = await checkPostingRate(db, actor);
  if (limited) return limited;
  const html = renderMarkdown(input.body);
  return write(db, async (tx) => {
    const thread = await tx.select({ highest: threads.highestPostNumber }).from(threads).where(eq(threads.id, input.threadId)).get();
    const postNumber = thread!.highest + 1;
    const replyTo = input.replyToPostNumber && input.replyToPostNumber < postNumber ? input.replyToPostNumber : null;
    const [post] = await tx
      .insert(posts)
      .values({ threadId: input.threadId, postNumber, authorId: actor.id, raw: input.body, html, replyToPostNumber: replyTo, createdAt: now })
      .returning();
    await notifyForNewPost(tx, { actor, threadId: input.threadId, post: post! }, now);
    await tx
      .update(threads)
      .set({ highestPostNumber: postNumber, replyCount: sql`${threads.replyCount} + 1`, bumpedAt: now })
      .where(eq(threads.id, input.threadId));
    await subscribeAuthor(tx, actor.id, input.threadId);
    await markRead(tx, actor.id, input.threadId, postNumber);
    return { ok: true as const, post: post! };
  });
}

export interface PostView {
  post: Post;
  authorName: string | null;
}

/** One page of a thread's posts (20 a page), with their authors' names. */
export async function listPosts(db: Queryable, threadId: number, page: number): Promise<PostView[]> {
  const first = (page - 1) * POSTS_PER_PAGE + 1;
  return db
    .select({ post: posts, authorName: users.displayName })
    .from(posts)
    .leftJoin(users, eq(users.id, posts.authorId))
    .where(and(eq(posts.threadId, threadId), gt(posts.postNumber, first - 1), lte(posts.postNumber, first + POSTS_PER_PAGE - 1)))
    .orderBy(asc(posts.postNumber))
    .all();
}

/** Where a post lives, for permalinks: /forum/t/<id>/<slug>?page=N#post-<number>; null if not visible. */
export async function findPostLocation(db: Queryable, actor: ForumActor, postId: number) {
  const post = await db.select({ threadId: posts.threadId, postNumber: posts.postNumber }).from(posts).where(eq(posts.id, postId)).get();
  if (!post) return null;
  const visible = await findVisibleThread(db, actor, post.threadId);
  if (!visible) return null;
  return { thread: visible.thread, postNumber: post.postNumber, page: pageOfPost(post.postNumber) };
}

