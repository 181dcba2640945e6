/**
 * Writing new posts: starting a thread and replying. Each is one pass, in one write
 * transaction, so nothing is checked twice and nothing can change between the check and
 * the write:
 *
 *   may they (permissions.ts; "not found" audited)  →  the safeguarding check  →
 *   the posting limit  →  the post and its thread's counters, the notifications, the
 *   author's subscription and read position, and the audit of a confirmation
 *
 * The Markdown is rendered before the transaction, so the write lock is held only for
 * the writing. `startThread` and `postReply` are what the forms call; `createThread` and
 * `createReply` skip the safeguarding check, for text the portal writes itself (a guide's
 * opening post) and for tests.
 *
 * The safeguarding check (safeguarding.ts) stops a post that looks like it holds a
 * victim's personal data until its author confirms it; the confirmation is audited as
 * 'safeguarding-confirm' with the kinds found, never the text.
 */
import { eq, sql } from 'drizzle-orm';
import { categories, posts, threads, type Category, type Post, type Thread } from '#db/schema.ts';
import { throttleIn } from '#lib/auth/throttle.ts';
import { write, type Database, type Transaction } from '#lib/db.ts';
import { isRefusal, rateLimited, refuse, type Refusal, type Result } from '#lib/result.ts';
import { notFound, type ForumActor } from './access.ts';
import { auditConfirmationIn, auditRefusalIn, type AuditTarget, type ForumAuditAction, type RequestOptions } from './audit.ts';
import { POSTING_LIMIT, slugify } from './limits.ts';
import { renderMarkdown } from './markdown.ts';
import { notifyForNewPost } from './notifications.ts';
import { canReply, canStartThread } from './permissions.ts';
import { safeguardingHold, type SafeguardingHold } from './safeguarding.ts';
import { findVisibleThread, markRead, subscribeAuthor } from './threads.ts';

export const LOCKED_MESSAGE = 'This thread is locked: it no longer takes replies. Your text is kept below.';

type NewPostRow = Pick<Post, 'id' | 'threadId' | 'postNumber' | 'raw' | 'replyToPostNumber'>;

/** What every new post has: its Markdown, and whether its author confirmed the safeguarding warning. */
interface PostText {
  body: string;
  safeguardingConfirmed?: boolean;
}

/** How the form's path differs from the portal's own (`check`: run the safeguarding check). */
type PublishOptions = RequestOptions & { check: boolean };

interface NewPost<Place, T> {
  action: ForumAuditAction;
  target: AuditTarget;
  /** The text the safeguarding check reads (default: the body). */
  text?: string;
  /** Finds what the post goes into and checks the member may post there. */
  place: (tx: Transaction) => Promise<Place | Refusal>;
  /** Writes the post (and the thread it starts, or the thread's counters); returns what the caller gets and the post. */
  insert: (tx: Transaction, place: Place, html: string, now: Date) => Promise<T & { post: NewPostRow }>;
}

/** The one path of a new post (see the top of this file). */
async function publish<Place extends object, T extends object>(db: Database, actor: ForumActor, input: PostText, options: PublishOptions, spec: NewPost<Place, T>): Promise<Result<T> | SafeguardingHold> {
  const now = options.now ?? new Date();
  const text = spec.text ?? input.body;
  const html = renderMarkdown(input.body);
  return write(db, async (tx) => {
    const place = await spec.place(tx);
    if (isRefusal(place)) return auditRefusalIn(tx, actor, spec.action, spec.target, place, { ...options, now });
    if (options.check) {
      const hold = safeguardingHold(text, input.safeguardingConfirmed, now);
      if (hold) return hold;
    }
    // The limit runs on the real clock: tests that date posts in the past still meet it.
    const limited = await throttleIn(tx, [`forum-post:${actor.id}`], POSTING_LIMIT);
    if (!limited.allowed) {
      return rateLimited(limited.retryAfterSeconds, `You are posting too quickly. Wait ${limited.retryAfterSeconds} seconds, then post again; your text is kept below.`);
    }
    const created = await spec.insert(tx, place as Place, html, now);
    const { post } = created;
    await notifyForNewPost(tx, { actor, threadId: post.threadId, post }, now);
    await subscribeAuthor(tx, actor.id, post.threadId);
    await markRead(tx, actor.id, post.threadId, post.postNumber);
    if (options.check && input.safeguardingConfirmed) await auditConfirmationIn(tx, actor, text, post, { ...options, now });
    return { ok: true as const, ...created };
  });
}

// ─── Threads ─────────────────────────────────────────────────────────────────

export interface ThreadInput extends PostText {
  categoryId: number;
  title: string;
  /** Ties the thread to a practice guide ("Discuss this guide"). */
  guideKey?: string;
}

export type StartThreadResult = Result<{ thread: Thread; postId: number }> | SafeguardingHold;

function newThread(db: Database, actor: ForumActor, input: ThreadInput, options: PublishOptions): Promise<StartThreadResult> {
  return publish<Category, { thread: Thread; postId: number }>(db, actor, input, options, {
    action: 'forum-thread-create',
    target: { type: 'category', id: input.categoryId },
    text: `${input.title}\n\n${input.body}`,
    place: async (tx) => {
      const category = await tx.select().from(categories).where(eq(categories.id, input.categoryId)).get();
      return category && canStartThread(actor, category) ? category : notFound;
    },
    insert: async (tx, category, html, now) => {
      const [thread] = await tx
        .insert(threads)
        .values({ categoryId: category.id, title: input.title, slug: slugify(input.title), authorId: actor.id, createdAt: now, bumpedAt: now, highestPostNumber: 1, guideKey: input.guideKey ?? null })
        .returning();
      const [post] = await tx.insert(posts).values({ threadId: thread!.id, postNumber: 1, authorId: actor.id, raw: input.body, html, createdAt: now }).returning();
      return { thread: thread!, postId: post!.id, post: post! };
    },
  });
}

/** Starts a thread from the form: its first post, the author watching it, and read up to it. */
export function startThread(db: Database, actor: ForumActor, input: ThreadInput, options: RequestOptions = {}): Promise<StartThreadResult> {
  return newThread(db, actor, input, { ...options, check: true });
}

/** The same without the safeguarding check: for text the portal wrote itself, and tests. */
export async function createThread(db: Database, actor: ForumActor, input: Omit<ThreadInput, 'safeguardingConfirmed'>, now = new Date()): Promise<Result<{ thread: Thread; postId: number }>> {
  return (await newThread(db, actor, input, { now, check: false })) as Result<{ thread: Thread; postId: number }>;
}

// ─── Replies ─────────────────────────────────────────────────────────────────

export interface ReplyInput extends PostText {
  threadId: number;
  replyToPostNumber?: number;
}

export type ReplyResult = Result<{ post: Post; thread: Thread }> | SafeguardingHold;

/**
 * Adds a reply at the end of a thread. Its number is the thread's highest plus one, read
 * in the same write transaction, so concurrent replies never share a number and the
 * counts stay exact.
 */
function newReply(db: Database, actor: ForumActor, input: ReplyInput, options: PublishOptions): Promise<ReplyResult> {
  return publish<Thread, { post: Post; thread: Thread }>(db, actor, input, options, {
    action: 'forum-reply',
    target: { type: 'thread', id: input.threadId },
    place: async (tx) => {
      const visible = await findVisibleThread(tx, actor, input.threadId);
      if (!visible) return notFound;
      // Locked before the safeguarding check: no point asking about a reply that cannot be posted.
      return canReply(actor, visible.thread) ? visible.thread : refuse('locked', LOCKED_MESSAGE);
    },
    insert: async (tx, thread, html, now) => {
      const postNumber = thread.highestPostNumber + 1;
      const replyTo = input.replyToPostNumber && input.replyToPostNumber < postNumber ? input.replyToPostNumber : null;
      const [post] = await tx
        .insert(posts)
        .values({ threadId: thread.id, postNumber, authorId: actor.id, raw: input.body, html, replyToPostNumber: replyTo, createdAt: now })
        .returning();
      const [updated] = await tx
        .update(threads)
        .set({ highestPostNumber: postNumber, replyCount: sql`${threads.replyCount} + 1`, bumpedAt: now })
        .where(eq(threads.id, thread.id))
        .returning();
      return { post: post!, thread: updated! };
    },
  });
}

/** Replies from the form (the safeguarding check included). */
export function postReply(db: Database, actor: ForumActor, input: ReplyInput, options: RequestOptions = {}): Promise<ReplyResult> {
  return newReply(db, actor, input, { ...options, check: true });
}

/** The same without the safeguarding check: for tests and benchmarks. */
export async function createReply(db: Database, actor: ForumActor, input: Omit<ReplyInput, 'safeguardingConfirmed'>, now = new Date()): Promise<Result<{ post: Post; thread: Thread }>> {
  return (await newReply(db, actor, input, { now, check: false })) as Result<{ post: Post; thread: Thread }>;
}
