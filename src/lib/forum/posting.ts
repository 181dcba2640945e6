/**
 * What the forum's forms call: start a thread, reply, edit. Each checks access first
 * (refusals audited), then the safeguarding check, then hands over to createThread /
 * createReply / editPost, which check again inside their own rules.
 *
 * The safeguarding check (safeguarding.ts) stops a post that looks like it holds a
 * victim's personal data until its author confirms it; the confirmation is audited as
 * 'safeguarding-confirm' with the kinds found, never the text.
 */
import { eq } from 'drizzle-orm';
import { categories, type Post, type Thread } from '#db/schema.ts';
import { audit } from '#lib/auth/audit.ts';
import type { Database } from '#lib/db.ts';
import { canSeeCategory, isModerator, notFound, type ForumActor, type Refusal } from './access.ts';
import { changeRefusal, editPost, findVisiblePost, type ChangeOptions, type EditPostResult } from './post-edits.ts';
import { createReply } from './posts.ts';
import { auditRefusal } from './refusals.ts';
import { findingKinds, findPersonalData, SAFEGUARDING_MESSAGE, type SafeguardingFinding } from './safeguarding.ts';
import { createThread, findVisibleThread, type CreateThreadResult } from './threads.ts';

/** The post was not saved: it may hold personal data, and the author has not confirmed it. */
export interface SafeguardingHold {
  ok: false;
  reason: 'safeguarding';
  message: string;
  findings: SafeguardingFinding[];
}

export const LOCKED_MESSAGE = 'This thread is locked: it no longer takes replies. Your text is kept below.';

/** Null when the text may be saved now; otherwise the hold to show. */
function safeguardingHold(text: string, confirmed: boolean | undefined, now: Date): SafeguardingHold | null {
  if (confirmed) return null;
  const findings = findPersonalData(text, now);
  return findings.length ? { ok: false, reason: 'safeguarding', message: SAFEGUARDING_MESSAGE, findings } : null;
}

/** After saving a post its author confirmed, record that they did (kinds only). */
async function auditConfirmation(db: Database, actor: ForumActor, text: string, post: Pick<Post, 'id' | 'threadId'>, options: ChangeOptions, now: Date) {
  const kinds = findingKinds(findPersonalData(text, now));
  if (kinds.length === 0) return;
  await audit(
    db,
    { actorId: actor.id, action: 'safeguarding-confirm', outcome: 'success', targetType: 'post', targetId: post.id, ip: options.ip ?? null, detail: { kinds, threadId: post.threadId } },
    now,
  );
}

export interface ThreadInput {
  categoryId: number;
  title: string;
  body: string;
  /** The author saw the safeguarding warning and chose to post. */
  safeguardingConfirmed?: boolean;
}

export async function startThread(db: Database, actor: ForumActor, input: ThreadInput, options: ChangeOptions = {}): Promise<CreateThreadResult | SafeguardingHold> {
  const now = options.now ?? new Date();
  const category = await db.select().from(categories).where(eq(categories.id, input.categoryId)).get();
  if (!category || !canSeeCategory(actor, category)) {
    await auditRefusal(db, actor, 'forum-thread-create', { type: 'category', id: input.categoryId }, notFound, options.ip);
    return notFound;
  }
  const text = `${input.title}\n\n${input.body}`;
  const hold = safeguardingHold(text, input.safeguardingConfirmed, now);
  if (hold) return hold;
  const result = await createThread(db, actor, { categoryId: input.categoryId, title: input.title, body: input.body }, now);
  if (!result.ok) {
    await auditRefusal(db, actor, 'forum-thread-create', { type: 'category', id: input.categoryId }, result, options.ip);
    return result;
  }
  if (input.safeguardingConfirmed) await auditConfirmation(db, actor, text, { id: result.postId, threadId: result.thread.id }, options, now);
  return result;
}

export interface ReplyInput {
  threadId: number;
  body: string;
  replyToPostNumber?: number;
  safeguardingConfirmed?: boolean;
}

export type ReplyResult = { ok: true; post: Post; thread: Thread } | Refusal | SafeguardingHold;

export async function postReply(db: Database, actor: ForumActor, input: ReplyInput, options: ChangeOptions = {}): Promise<ReplyResult> {
  const now = options.now ?? new Date();
  const visible = await findVisibleThread(db, actor, input.threadId);
  if (!visible) {
    await auditRefusal(db, actor, 'forum-reply', { type: 'thread', id: input.threadId }, notFound, options.ip);
    return notFound;
  }
  // Locked first: no point asking about personal data in a reply that cannot be posted.
  if (visible.thread.locked && !isModerator(actor)) return { ok: false, reason: 'locked', message: LOCKED_MESSAGE };
  const hold = safeguardingHold(input.body, input.safeguardingConfirmed, now);
  if (hold) return hold;
  const result = await createReply(db, actor, { threadId: input.threadId, body: input.body, replyToPostNumber: input.replyToPostNumber }, now);
  if (!result.ok) {
    await auditRefusal(db, actor, 'forum-reply', { type: 'thread', id: input.threadId }, result, options.ip);
    return result;
  }
  if (input.safeguardingConfirmed) await auditConfirmation(db, actor, input.body, result.post, options, now);
  return { ok: true, post: result.post, thread: visible.thread };
}

export interface EditInput {
  postId: number;
  body: string;
  expectedVersion?: number;
  safeguardingConfirmed?: boolean;
}

export async function saveEdit(db: Database, actor: ForumActor, input: EditInput, options: ChangeOptions = {}): Promise<EditPostResult | SafeguardingHold> {
  const now = options.now ?? new Date();
  const refusal: Refusal | null = changeRefusal(actor, await findVisiblePost(db, actor, input.postId), 'edit');
  // editPost audits and returns the refusal; no warning before a refusal.
  if (refusal) return editPost(db, actor, input, { ...options, now });
  const hold = safeguardingHold(input.body, input.safeguardingConfirmed, now);
  if (hold) return hold;
  const result = await editPost(db, actor, input, { ...options, now });
  if (result.ok && result.changed && input.safeguardingConfirmed) await auditConfirmation(db, actor, input.body, result.post, options, now);
  return result;
}
