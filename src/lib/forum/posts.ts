import { and, asc, eq, gt, lte } from 'drizzle-orm';
import { posts, users, type Post } from '#db/schema.ts';
import type { Queryable } from '#lib/db.ts';
import type { ForumActor } from './access.ts';
import { POSTS_PER_PAGE } from './limits.ts';
import { findVisibleThread } from './threads.ts';
import { pageOfPost } from './urls.ts';

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

