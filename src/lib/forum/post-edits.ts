/**
 * Editing and deleting posts, with the edit history every member can read.
 *
 * History (post_revisions): each edit stores the text it replaces, with who made the
 * edit (`edited_by`) and when (`replaced_at`). So version 1 is the text as first
 * posted (by the post's author, at `created_at`), version k+1 was written by the
 * `edited_by` of revision k at its `replaced_at`, and the post row holds the current
 * version (its `version` and `edited_at`).
 *
 * Who may change a post is `postChangeRefusal` in ./permissions.ts (moderators may edit
 * or delete any post that is not deleted). Each change is one write transaction: the
 * check, the change and its audit row, so nothing can change between check and write.
 * Every refusal of access is audited, every edit and delete too (facts only, never the text).
 */
import { asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { categories, postRevisions, posts, threads, users, type Category, type Post, type Thread } from '#db/schema.ts';
import { auditIn } from '#lib/auth/audit.ts';
import { write, type Database, type Queryable } from '#lib/db.ts';
import { refuse, type Result } from '#lib/result.ts';
import { notFound, type ForumActor } from './access.ts';
import { auditConfirmationIn, auditRefusalIn, type RequestOptions } from './audit.ts';
import { renderMarkdown } from './markdown.ts';
import { canSeeThread, postChangeRefusal, postDeleteRefusal } from './permissions.ts';
import { safeguardingHold, type SafeguardingHold } from './safeguarding.ts';
import { parseId } from '#lib/params.ts';

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
 * to anyone but moderators (`canReadPostText`).
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
  return row && canSeeThread(actor, row.thread, row.category) ? row : null;
}

/** What every /forum/p/<id>/… page starts from: the post the address names, if it is a number and theirs to see. */
export async function findPostForPage(db: Queryable, actor: ForumActor, postIdParam: string | undefined): Promise<PostInThread | null> {
  const postId = parseId(postIdParam);
  return postId === null ? null : findVisiblePost(db, actor, postId);
}

export interface EditInput {
  postId: number;
  body: string;
  /** The version the editor was shown: an edit made meanwhile refuses this one rather than be overwritten. */
  expectedVersion?: number;
  /** The author saw the safeguarding warning and chose to save. */
  safeguardingConfirmed?: boolean;
}

export type EditPostResult = Result<{ post: Post; changed: boolean }> | SafeguardingHold;

async function edit(db: Database, actor: ForumActor, input: EditInput, options: RequestOptions, check: boolean): Promise<EditPostResult> {
  const now = options.now ?? new Date();
  const html = renderMarkdown(input.body);
  return write(db, async (tx) => {
    const found = await findVisiblePost(tx, actor, input.postId);
    const refusal = found ? postChangeRefusal(actor, found.post, found.thread, 'edit') : notFound;
    if (refusal) return auditRefusalIn(tx, actor, 'forum-post-edit', { type: 'post', id: input.postId }, refusal, { ...options, now });
    if (check) {
      const hold = safeguardingHold(input.body, input.safeguardingConfirmed, now);
      if (hold) return hold;
    }
    const post = found!.post;
    if (input.body === post.raw) return { ok: true as const, post, changed: false };
    if (input.expectedVersion !== undefined && post.version !== input.expectedVersion) {
      return refuse(
        'conflict',
        'This post has been changed since you opened it (in another window, or by a moderator). Your text is kept below: compare it with the current post, then save again.',
        'body',
      );
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
    if (check && input.safeguardingConfirmed) await auditConfirmationIn(tx, actor, input.body, post, { ...options, now });
    return { ok: true as const, post: updated!, changed: true };
  });
}

/** Saves an edit from the form: access, the safeguarding check, then the new version. The same text again changes nothing. */
export function saveEdit(db: Database, actor: ForumActor, input: EditInput, options: RequestOptions = {}): Promise<EditPostResult> {
  return edit(db, actor, input, options, true);
}

/** The same without the safeguarding check, for tests. */
export async function editPost(db: Database, actor: ForumActor, input: Omit<EditInput, 'safeguardingConfirmed'>, options: RequestOptions = {}): Promise<Result<{ post: Post; changed: boolean }>> {
  return (await edit(db, actor, input, options, false)) as Result<{ post: Post; changed: boolean }>;
}

/**
 * Soft delete: the post stays (its number, anchors and history), shown as "deleted".
 * The thread's reply count is of visible replies, so deleting a reply lowers it.
 * Deleting again changes nothing.
 */
export async function deletePost(db: Database, actor: ForumActor, input: { postId: number }, options: RequestOptions = {}): Promise<Result<{ post: Post; thread: Thread }>> {
  const now = options.now ?? new Date();
  return write(db, async (tx) => {
    const found = await findVisiblePost(tx, actor, input.postId);
    const refusal = found ? postDeleteRefusal(actor, found.post, found.thread) : notFound;
    if (refusal) return auditRefusalIn(tx, actor, 'forum-post-delete', { type: 'post', id: input.postId }, refusal, { ...options, now });
    const { post, thread } = found!;
    if (post.deletedAt) return { ok: true as const, post, thread };
    const [deleted] = await tx.update(posts).set({ deletedAt: now, deletedBy: actor.id }).where(eq(posts.id, post.id)).returning();
    // The count is of replies members can read; a hidden one was taken out when hidden (moderation.ts).
    if (post.postNumber > 1 && !post.hiddenAt) {
      await tx.update(threads).set({ replyCount: sql`max(0, ${threads.replyCount} - 1)` }).where(eq(threads.id, post.threadId));
    }
    await auditIn(
      tx,
      { actorId: actor.id, action: 'forum-post-delete', outcome: 'success', targetType: 'post', targetId: post.id, ip: options.ip ?? null, detail: { byModerator: post.authorId !== actor.id } },
      now,
    );
    return { ok: true as const, post: deleted!, thread };
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
