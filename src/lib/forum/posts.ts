import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import { posts, users, type Post } from '#db/schema.ts';
import { preparedQuery, type Queryable } from '#lib/db.ts';
import type { ForumActor } from './access.ts';
import { POSTS_PER_PAGE } from './limits.ts';
import { findVisibleThread } from './threads.ts';
import { pageOfPost } from './urls.ts';

/**
 * What a thread page shows of a post: everything but its Markdown (`raw`), which only
 * quoting, editing and the history read, by the post's id. The rendered HTML is enough
 * to show it, and the Markdown would double what each page reads.
 */
const shownPostColumns = {
  id: posts.id,
  threadId: posts.threadId,
  postNumber: posts.postNumber,
  authorId: posts.authorId,
  html: posts.html,
  replyToPostNumber: posts.replyToPostNumber,
  createdAt: posts.createdAt,
  editedAt: posts.editedAt,
  version: posts.version,
  hiddenAt: posts.hiddenAt,
  hiddenReason: posts.hiddenReason,
  hiddenBy: posts.hiddenBy,
  deletedAt: posts.deletedAt,
  deletedBy: posts.deletedBy,
};
export type ShownPost = Pick<Post, keyof typeof shownPostColumns>;

export interface PostView {
  post: ShownPost;
  authorName: string | null;
}

const pageOfPosts = preparedQuery((db) =>
  db
    .select({ post: shownPostColumns, authorName: users.displayName })
    .from(posts)
    .leftJoin(users, eq(users.id, posts.authorId))
    .where(and(eq(posts.threadId, sql.placeholder('threadId')), gt(posts.postNumber, sql.placeholder('after')), lte(posts.postNumber, sql.placeholder('last'))))
    .orderBy(asc(posts.postNumber))
    .prepare(),
);

/** One page of a thread's posts (20 a page), with their authors' names. */
export async function listPosts(db: Queryable, threadId: number, page: number): Promise<PostView[]> {
  const after = (page - 1) * POSTS_PER_PAGE;
  return pageOfPosts(db).all({ threadId, after, last: after + POSTS_PER_PAGE });
}

/** Where a post lives, for permalinks: /forum/t/<id>/<slug>?page=N#post-<number>; null if not visible. */
export async function findPostLocation(db: Queryable, actor: ForumActor, postId: number) {
  const post = await db.select({ threadId: posts.threadId, postNumber: posts.postNumber }).from(posts).where(eq(posts.id, postId)).get();
  if (!post) return null;
  const visible = await findVisibleThread(db, actor, post.threadId);
  if (!visible) return null;
  return { thread: visible.thread, postNumber: post.postNumber, page: pageOfPost(post.postNumber) };
}
