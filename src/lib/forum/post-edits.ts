/**
 * Editing and deleting posts, with the edit history every member can read.
 *
 * History (post_revisions): each edit stores the text it replaces, with who made the
 * edit (`edited_by`) and when (`replaced_at`). So version 1 is the text as first
 * posted (by the post's author, at `created_at`), version k+1 was written by the
 * `edited_by` of revision k at its `replaced_at`, and the post row holds the current
 * version (its `version` and `edited_at`).
 *
 * Authors edit and delete their own posts; moderators may edit or delete any post
 * (`editPost` and `deletePost` are what the moderation tools call). Every refusal of
 * access is audited, every edit and delete too (facts only, never the text).
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { categories, postRevisions, posts, threads, users, type Category, type Post, type Thread } from '#db/schema.ts';
import { auditIn } from '#lib/auth/audit.ts';
import { write, type Database, type Queryable } from '#lib/db.ts';
import { canSeeCategory, forumActor, isModerator, notFound, type ForumActor, type Refusal } from './access.ts';
import { renderMarkdown } from './markdown.ts';
import { auditRefusal } from './refusals.ts';
import { parseId } from './urls.ts';

export interface PostInThread {
  post: Post;
  thread: Thread;
  category: Category;
  authorName: string | null;
}

/**
 * A post this member may see, with its thread and category; null when the post, its
 * thread or its category is not theirs to see (so ids cannot be probed). Hidden posts
 * are found (their placeholder shows), but callers must not show a hidden post's text
 * to anyone but moderators.
 */
export async function findVisiblePost(db: Queryable, actor: ForumActor, postId: number): Promise<PostInThread | null> {
  const row = await db
    .select({ post: posts, thread: threads, category: categories, authorName: users.displayName })
    .from(posts)
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .leftJoin(users, eq(users.id, posts.authorId))
    .where(eq(posts.id, postId))
    .get();
  if (!row || !canSeeCategory(actor, row.category)) return null;
  if (row.thread.hiddenAt && !isModerator(actor)) return null;
  return row;
}

/**
 * What every /forum/p/<id>/… page starts from: the member as a forum actor and the post
 * the address names, if it is a number and theirs to see.
 */
export async function findPostForPage(db: Queryable, userId: number, postIdParam: string | undefined) {
  const actor = await forumActor(db, userId);
  const postId = parseId(postIdParam);
  return { actor, found: postId === null ? null : await findVisiblePost(db, actor, postId) };
}

/** Whether a member may see a post's text (and so its history, or quote it). */
export function canReadPostText(actor: ForumActor, post: Pick<Post, 'hiddenAt' | 'deletedAt'>): boolean {
  return isModerator(actor) || (!post.hiddenAt && !post.deletedAt);
}

/** Why this member may not change this post, or null when they may (edit and delete share the rule). */
export function changeRefusal(actor: ForumActor, found: PostInThread | null, verb: 'edit' | 'delete'): Refusal | null {
  if (!found) return notFound;
  const { post, thread } = found;
  if (isModerator(actor)) return null;
  if (post.authorId !== actor.id) return { ok: false, reason: 'forbidden', message: `You can only ${verb} your own posts.` };
  if (post.deletedAt) return { ok: false, reason: 'forbidden', message: 'This post has been deleted, so it can no longer be changed.' };
  if (post.hiddenAt) return { ok: false, reason: 'forbidden', message: 'A moderator has hidden this post, so it cannot be changed. Contact the moderators if you think this is wrong.' };
  if (thread.locked) return { ok: false, reason: 'locked', message: `This thread is locked: its posts can no longer be changed.` };
  return null;
}

export type EditPostResult = { ok: true; post: Post; changed: boolean } | Refusal;

export interface ChangeOptions {
  /** Where the request came from, for the audit log. */
  ip?: string | null;
  now?: Date;
}

/**
 * Replaces a post's text, keeping the old text as a revision. `expectedVersion` (the
 * version the editor was shown) refuses an edit that would silently overwrite another
 * edit made in the meantime. The same text again changes nothing.
 */
export async function editPost(
  db: Database,
  actor: ForumActor,
  input: { postId: number; body: string; expectedVersion?: number },
  options: ChangeOptions = {},
): Promise<EditPostResult> {
  const now = options.now ?? new Date();
  const found = await findVisiblePost(db, actor, input.postId);
  const refusal = changeRefusal(actor, found, 'edit');
  if (refusal) {
    await auditRefusal(db, actor, 'forum-post-edit', { type: 'post', id: input.postId }, refusal, options.ip);
    return refusal;
  }
  const current = found!.post;
  if (input.body === current.raw) return { ok: true, post: current, changed: false };
  const html = renderMarkdown(input.body);
  return write(db, async (tx) => {
    // Read again inside the write: another edit may have landed since the check above.
    const post = (await tx.select().from(posts).where(eq(posts.id, input.postId)).get())!;
    if (input.expectedVersion !== undefined && post.version !== input.expectedVersion) {
      return {
        ok: false as const,
        reason: 'invalid' as const,
        field: 'body',
        message: 'This post has been changed since you opened it (in another window, or by a moderator). Your text is kept below: compare it with the current post, then save again.',
      };
    }
    await tx.insert(postRevisions).values({ postId: post.id, version: post.version, raw: post.raw, editedBy: actor.id, replacedAt: now });
    const [updated] = await tx
      .update(posts)
      .set({ raw: input.body, html, version: post.version + 1, editedAt: now })
      .where(eq(posts.id, post.id))
      .returning();
    await auditIn(
      tx,
      {
        actorId: actor.id,
        action: 'forum-post-edit',
        outcome: 'success',
        targetType: 'post',
        targetId: post.id,
        ip: options.ip ?? null,
        detail: { version: post.version + 1, byModerator: post.authorId !== actor.id },
      },
      now,
    );
    return { ok: true as const, post: updated!, changed: true };
  });
}

export type DeletePostResult = { ok: true; post: Post; thread: Thread } | Refusal;

/**
 * Soft delete: the post stays (its number, anchors and history), shown as "deleted".
 * The thread's reply count is of visible replies, so deleting a reply lowers it.
 * Deleting again changes nothing.
 */
export async function deletePost(db: Database, actor: ForumActor, input: { postId: number }, options: ChangeOptions = {}): Promise<DeletePostResult> {
  const now = options.now ?? new Date();
  const found = await findVisiblePost(db, actor, input.postId);
  const alreadyDeleted = Boolean(found?.post.deletedAt) && (found!.post.authorId === actor.id || isModerator(actor));
  const refusal = alreadyDeleted ? null : changeRefusal(actor, found, 'delete');
  if (refusal) {
    await auditRefusal(db, actor, 'forum-post-delete', { type: 'post', id: input.postId }, refusal, options.ip);
    return refusal;
  }
  const { thread } = found!;
  if (found!.post.deletedAt) return { ok: true, post: found!.post, thread };
  return write(db, async (tx) => {
    const [post] = await tx
      .update(posts)
      .set({ deletedAt: now, deletedBy: actor.id })
      .where(and(eq(posts.id, input.postId), sql`${posts.deletedAt} is null`))
      .returning();
    if (!post) return { ok: true as const, post: found!.post, thread };
    // The count is of replies members can read; a hidden one was taken out when hidden (moderation.ts).
    if (post.postNumber > 1 && !post.hiddenAt) {
      await tx.update(threads).set({ replyCount: sql`max(0, ${threads.replyCount} - 1)` }).where(eq(threads.id, post.threadId));
    }
    await auditIn(
      tx,
      { actorId: actor.id, action: 'forum-post-delete', outcome: 'success', targetType: 'post', targetId: post.id, ip: options.ip ?? null, detail: { byModerator: post.authorId !== actor.id } },
      now,
    );
    return { ok: true as const, post, thread };
  });
}

export interface PostVersion {
  version: number;
  raw: string;
  /** Rendered through the same sanitising pipeline as posts. */
  html: string;
  /** Who wrote this version: the author for version 1, then whoever made each edit. */
  writtenBy: string | null;
  writtenById: number | null;
  writtenAt: Date;
  current: boolean;
}

/** Every version of a post, oldest first. */
export async function postHistory(db: Queryable, post: Post, authorName: string | null): Promise<PostVersion[]> {
  const editor = alias(users, 'editor');
  const revisions = await db
    .select({ revision: postRevisions, editorName: editor.displayName })
    .from(postRevisions)
    .leftJoin(editor, eq(editor.id, postRevisions.editedBy))
    .where(eq(postRevisions.postId, post.id))
    .orderBy(asc(postRevisions.version))
    .all();
  const versions: PostVersion[] = [];
  let writtenBy = authorName;
  let writtenById = post.authorId;
  let writtenAt = post.createdAt;
  for (const { revision, editorName } of revisions) {
    versions.push({ version: revision.version, raw: revision.raw, html: renderMarkdown(revision.raw), writtenBy, writtenById, writtenAt, current: false });
    writtenBy = editorName;
    writtenById = revision.editedBy;
    writtenAt = revision.replacedAt;
  }
  versions.push({ version: post.version, raw: post.raw, html: post.html, writtenBy, writtenById, writtenAt, current: true });
  return versions;
}
