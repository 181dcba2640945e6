/**
 * What moderators do to the forum: pin, lock, move and hide threads, hide posts, and work
 * through the queue of members' reports. Every action is checked here (moderators,
 * editors and administrators only) and audited in the same transaction as the change:
 * who, what, the target, from which address, and the outcome. A refusal changes nothing
 * and is audited too; a no-op ("already pinned") changes nothing and is not.
 *
 * Hidden posts and threads stay in the database; `presentPost` decides what a viewer gets:
 * members a placeholder without the text, moderators the text, marked, with the reason.
 */
import { aliasedTable, and, asc, count, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { categories, posts, reports, threads, users, type Post, type Thread } from '#db/schema.ts';
import { write, type Database, type Queryable, type Transaction } from '#lib/db.ts';
import { audit, auditIn } from '#lib/auth/audit.ts';
import { enqueueMail, enqueueMails } from '#lib/mail/outbox.ts';
import { refuse, type Refusal, type Result } from '#lib/result.ts';
import { notFound, type ForumActor } from './access.ts';
import { canModerate, postModerationRefusal } from './permissions.ts';
import { postLocation } from './urls.ts';

/** A moderator at work: who they are and where the request came from (for the audit log). */
export interface ModerationActor extends ForumActor {
  ip: string | null;
}

/** The audit log's name for each moderator action (and for its refusals). */
export const moderationAuditActions = {
  pin: 'forum-thread-pin',
  unpin: 'forum-thread-unpin',
  lock: 'forum-thread-lock',
  unlock: 'forum-thread-unlock',
  move: 'forum-thread-move',
  hideThread: 'forum-thread-hide',
  restoreThread: 'forum-thread-restore',
  hidePost: 'forum-post-hide',
  restorePost: 'forum-post-restore',
  editPost: 'forum-post-edit',
  resolveReport: 'forum-report-resolve',
  dismissReport: 'forum-report-dismiss',
  /** Opening the moderation queue (audited only when refused). */
  queue: 'moderation-queue',
} as const;
type AuditAction = (typeof moderationAuditActions)[keyof typeof moderationAuditActions];

export const REPORTS_PAGE_SIZE = 25;

/** Why a moderator hid something: shown to moderators, and emailed to the author; never to other members. */
export const reasonSchema = z
  .string({ error: 'Give a reason' })
  .trim()
  .min(3, 'Give a reason of at least 3 characters, for the other moderators')
  .max(500, 'Keep the reason to 500 characters or fewer');

export type ModerationResult<T extends object = object> = Result<T>;

const forbidden = refuse('forbidden', 'Only moderators can do this.');
/** A change that would change nothing: answered with a message, not recorded. */
const unchanged = (message: string) => refuse('unchanged', message);

interface Target {
  type: 'thread' | 'post' | 'report';
  id: number;
}

/** Audits a refusal (who tried what on which target, and why) and returns it. */
async function refused(db: Database, actor: ModerationActor, action: AuditAction, target: Target, refusal: Refusal, now: Date): Promise<Refusal> {
  await audit(
    db,
    { actorId: actor.id, action, outcome: 'refused', targetType: target.type, targetId: target.id, ip: actor.ip, detail: { reason: refusal.reason } },
    now,
  );
  return refusal;
}

/** The one gate in front of every moderator action: a non-moderator is refused and audited. */
async function guard(db: Database, actor: ModerationActor, action: AuditAction, target: Target, now: Date): Promise<Refusal | null> {
  return canModerate(actor) ? null : refused(db, actor, action, target, forbidden, now);
}

function succeeded(tx: Transaction, actor: ModerationActor, action: AuditAction, target: Target, detail: Record<string, unknown>, now: Date) {
  return auditIn(tx, { actorId: actor.id, action, outcome: 'success', targetType: target.type, targetId: target.id, ip: actor.ip, detail }, now);
}

/** Audits a refusal of someone who is not a moderator at a page's door (actions: src/actions/define.ts). */
export async function auditModerationRefusal(
  db: Database,
  entry: { actorId: number | null; ip: string | null; action: AuditAction | string; targetType: string; targetId: string; reason: string },
): Promise<void> {
  await audit(db, { actorId: entry.actorId, action: entry.action, outcome: 'refused', targetType: entry.targetType, targetId: entry.targetId, ip: entry.ip, detail: { reason: entry.reason } });
}

// ─── Threads ─────────────────────────────────────────────────────────────────

async function loadThread(db: Queryable, threadId: number): Promise<Thread | undefined> {
  return db.select().from(threads).where(eq(threads.id, threadId)).get();
}

/**
 * The shared shape of a thread action: gate, load, check it would change something,
 * then update and audit in one transaction.
 */
async function threadAction(
  db: Database,
  actor: ModerationActor,
  action: AuditAction,
  threadId: number,
  now: Date,
  decide: (thread: Thread) => { refusal: Refusal } | { set: Partial<typeof threads.$inferInsert>; detail: Record<string, unknown> } | Promise<{ refusal: Refusal } | { set: Partial<typeof threads.$inferInsert>; detail: Record<string, unknown> }>,
  /** More to do in the same transaction (e.g. queue the author's email). */
  alsoIn?: (tx: Transaction, thread: Thread) => Promise<unknown>,
): Promise<ModerationResult<{ thread: Thread }>> {
  const target: Target = { type: 'thread', id: threadId };
  const gate = await guard(db, actor, action, target, now);
  if (gate) return gate;
  const thread = await loadThread(db, threadId);
  if (!thread) return refused(db, actor, action, target, notFound, now);
  const decision = await decide(thread);
  if ('refusal' in decision) return decision.refusal;
  const updated = await write(db, async (tx) => {
    const [row] = await tx.update(threads).set(decision.set).where(eq(threads.id, threadId)).returning();
    await succeeded(tx, actor, action, target, { title: thread.title, ...decision.detail }, now);
    await alsoIn?.(tx, thread);
    return row!;
  });
  return { ok: true, thread: updated };
}

/** Pins a thread to the top of its category, or unpins it. */
export function setPinned(db: Database, actor: ModerationActor, input: { threadId: number; pinned: boolean }, now = new Date()) {
  const action = input.pinned ? moderationAuditActions.pin : moderationAuditActions.unpin;
  return threadAction(db, actor, action, input.threadId, now, (thread) =>
    thread.pinned === input.pinned
      ? { refusal: unchanged(input.pinned ? 'This thread is already pinned.' : 'This thread is not pinned.') }
      : { set: { pinned: input.pinned }, detail: {} },
  );
}

/** Locks a thread (no more replies, except from moderators), or unlocks it. */
export function setLocked(db: Database, actor: ModerationActor, input: { threadId: number; locked: boolean }, now = new Date()) {
  const action = input.locked ? moderationAuditActions.lock : moderationAuditActions.unlock;
  return threadAction(db, actor, action, input.threadId, now, (thread) =>
    thread.locked === input.locked
      ? { refusal: unchanged(input.locked ? 'This thread is already locked.' : 'This thread is not locked.') }
      : { set: { locked: input.locked }, detail: {} },
  );
}

/**
 * Moves a thread to another category. Visibility follows the category at every read, so
 * a thread moved into a restricted category disappears for outsiders at once: from its
 * listing, its address and the search.
 */
export function moveThread(db: Database, actor: ModerationActor, input: { threadId: number; categoryId: number }, now = new Date()) {
  return threadAction(db, actor, moderationAuditActions.move, input.threadId, now, async (thread) => {
    if (thread.categoryId === input.categoryId) return { refusal: refuse('unchanged', 'The thread is already in that category.', 'categoryId') };
    const [from, to] = await Promise.all([
      db.select().from(categories).where(eq(categories.id, thread.categoryId)).get(),
      db.select().from(categories).where(eq(categories.id, input.categoryId)).get(),
    ]);
    if (!to) return { refusal: refuse('invalid', 'Choose a category from the list.', 'categoryId') };
    return { set: { categoryId: to.id }, detail: { from: from?.slug ?? thread.categoryId, to: to.slug } };
  });
}

/**
 * Hides a whole thread from members (moderators still see it, marked, with the reason).
 * Its author is emailed the reason (unless they chose not to be).
 */
export function hideThread(db: Database, actor: ModerationActor, input: { threadId: number; reason: string }, now = new Date()) {
  return threadAction(
    db,
    actor,
    moderationAuditActions.hideThread,
    input.threadId,
    now,
    (thread) =>
      thread.hiddenAt ? { refusal: unchanged('This thread is already hidden.') } : { set: { hiddenAt: now, hiddenReason: input.reason, hiddenBy: actor.id }, detail: { reason: input.reason } },
    (tx, thread) => tellAuthor(tx, actor, thread.authorId, { threadId: thread.id, reason: input.reason }, now),
  );
}

/** The author of hidden writing hears about it, with the reason; not when they hid it themself. */
function tellAuthor(tx: Transaction, actor: ModerationActor, authorId: number | null, data: { postId?: number; threadId?: number; reason: string }, now: Date) {
  if (authorId === null || authorId === actor.id) return Promise.resolve(null);
  return enqueueMail(tx, { kind: 'post-hidden', userId: authorId, data }, now);
}

/** Each reporter hears what became of their report (unless they chose not to). */
function tellReporters(tx: Transaction, closed: { id: number; reporterId: number | null }[], resolution: ReportResolution, now: Date) {
  const messages = closed
    .filter((r) => r.reporterId !== null)
    .map((r) => ({ kind: 'report-decision' as const, userId: r.reporterId!, data: { reportId: r.id, resolution } }));
  return enqueueMails(tx, messages, now);
}

/** Shows a hidden thread to members again. */
export function restoreThread(db: Database, actor: ModerationActor, input: { threadId: number }, now = new Date()) {
  return threadAction(db, actor, moderationAuditActions.restoreThread, input.threadId, now, (thread) =>
    !thread.hiddenAt
      ? { refusal: unchanged('This thread is not hidden.') }
      : { set: { hiddenAt: null, hiddenReason: null, hiddenBy: null }, detail: { wasHiddenFor: thread.hiddenReason } },
  );
}

// ─── Posts ───────────────────────────────────────────────────────────────────

async function resolveOpenReportsIn(tx: Transaction, actor: ModerationActor, postId: number, now: Date): Promise<number> {
  const open = await tx.select({ id: reports.id, reporterId: reports.reporterId }).from(reports).where(and(eq(reports.postId, postId), isNull(reports.resolvedAt))).all();
  for (const report of open) {
    await tx.update(reports).set({ resolvedAt: now, resolvedBy: actor.id, resolution: 'resolved' }).where(eq(reports.id, report.id));
    await succeeded(tx, actor, moderationAuditActions.resolveReport, { type: 'report', id: report.id }, { postId, resolution: 'resolved', by: 'hiding the post' }, now);
  }
  await tellReporters(tx, open, 'resolved', now);
  return open.length;
}

/**
 * Hides a post: members see "hidden by a moderator" in its place, moderators the text
 * with the reason. With `resolveReports`, the post's open reports are resolved too.
 */
/**
 * A thread's reply count is of replies members can read, as when one is deleted: hiding
 * a reply takes it out, restoring puts it back. The first post is not a reply, and a
 * deleted post was counted out already.
 */
async function adjustReplyCount(tx: Transaction, post: Post, by: 1 | -1): Promise<void> {
  if (post.postNumber === 1 || post.deletedAt) return;
  await tx.update(threads).set({ replyCount: sql`max(0, ${threads.replyCount} + ${by})` }).where(eq(threads.id, post.threadId));
}

export async function hidePost(
  db: Database,
  actor: ModerationActor,
  input: { postId: number; reason: string; resolveReports?: boolean },
  now = new Date(),
): Promise<ModerationResult<{ post: Post; reportsResolved: number }>> {
  const action = moderationAuditActions.hidePost;
  const target: Target = { type: 'post', id: input.postId };
  const gate = await guard(db, actor, action, target, now);
  if (gate) return gate;
  const post = await db.select().from(posts).where(eq(posts.id, input.postId)).get();
  if (!post) return refused(db, actor, action, target, notFound, now);
  const refusal = postModerationRefusal(actor, post);
  if (refusal) return refused(db, actor, action, target, refusal, now);
  if (post.hiddenAt) return unchanged('This post is already hidden.');
  return write(db, async (tx) => {
    const [row] = await tx.update(posts).set({ hiddenAt: now, hiddenReason: input.reason, hiddenBy: actor.id }).where(eq(posts.id, post.id)).returning();
    await adjustReplyCount(tx, post, -1);
    await succeeded(tx, actor, action, target, { threadId: post.threadId, postNumber: post.postNumber, reason: input.reason }, now);
    await tellAuthor(tx, actor, post.authorId, { postId: post.id, reason: input.reason }, now);
    const reportsResolved = input.resolveReports ? await resolveOpenReportsIn(tx, actor, post.id, now) : 0;
    return { ok: true as const, post: row!, reportsResolved };
  });
}

/** Shows a hidden post to members again. */
export async function restorePost(db: Database, actor: ModerationActor, input: { postId: number }, now = new Date()): Promise<ModerationResult<{ post: Post }>> {
  const action = moderationAuditActions.restorePost;
  const target: Target = { type: 'post', id: input.postId };
  const gate = await guard(db, actor, action, target, now);
  if (gate) return gate;
  const post = await db.select().from(posts).where(eq(posts.id, input.postId)).get();
  if (!post) return refused(db, actor, action, target, notFound, now);
  const refusal = postModerationRefusal(actor, post);
  if (refusal) return refused(db, actor, action, target, refusal, now);
  if (!post.hiddenAt) return unchanged('This post is not hidden.');
  return write(db, async (tx) => {
    const [row] = await tx.update(posts).set({ hiddenAt: null, hiddenReason: null, hiddenBy: null }).where(eq(posts.id, post.id)).returning();
    await adjustReplyCount(tx, post, +1);
    await succeeded(tx, actor, action, target, { threadId: post.threadId, postNumber: post.postNumber, wasHiddenFor: post.hiddenReason }, now);
    return { ok: true as const, post: row! };
  });
}

// ─── What a viewer gets of a hidden post ─────────────────────────────────────

/** What presentPost reads and empties: the text and why it was hidden. */
type HideablePost = Pick<Post, 'html' | 'hiddenAt' | 'hiddenReason' | 'hiddenBy'> & { raw?: string };

export type PostModerationState =
  | { state: 'visible' }
  /** A member's view: the post's place and number, no text, no reason. */
  | { state: 'hidden'; showContent: false }
  /** A moderator's view: the text, marked as hidden, with why, when and by whom. */
  | { state: 'hidden'; showContent: true; reason: string | null; hiddenAt: Date; hiddenBy: number | null };

/**
 * A post as this viewer may see it. For a member, a hidden post keeps its number, author
 * and date (so the thread reads in order) but its text is emptied here, in the data, so
 * no template can show it by mistake.
 */
export function presentPost<V extends { post: HideablePost }>(actor: Pick<ForumActor, 'role'>, view: V): V & { moderation: PostModerationState } {
  const { post } = view;
  if (!post.hiddenAt) return { ...view, moderation: { state: 'visible' } };
  if (canModerate(actor)) {
    return { ...view, moderation: { state: 'hidden', showContent: true, reason: post.hiddenReason, hiddenAt: post.hiddenAt, hiddenBy: post.hiddenBy } };
  }
  // The Markdown too, when the caller read it (a thread page does not).
  const emptied = { ...post, html: '', hiddenReason: null, hiddenBy: null, ...(post.raw === undefined ? {} : { raw: '' }) };
  return { ...view, post: emptied, moderation: { state: 'hidden', showContent: false } };
}

export function presentPosts<V extends { post: HideablePost }>(actor: Pick<ForumActor, 'role'>, views: V[]): (V & { moderation: PostModerationState })[] {
  return views.map((view) => presentPost(actor, view));
}

// ─── The reports queue ───────────────────────────────────────────────────────

export const reportResolutions = ['resolved', 'dismissed'] as const;
export type ReportResolution = (typeof reportResolutions)[number];

/** Marks a report as dealt with (resolved) or as needing nothing (dismissed). */
export async function resolveReport(
  db: Database,
  actor: ModerationActor,
  input: { reportId: number; resolution: ReportResolution },
  now = new Date(),
): Promise<ModerationResult<{ reportId: number }>> {
  const action = input.resolution === 'resolved' ? moderationAuditActions.resolveReport : moderationAuditActions.dismissReport;
  const target: Target = { type: 'report', id: input.reportId };
  const gate = await guard(db, actor, action, target, now);
  if (gate) return gate;
  const report = await db.select().from(reports).where(eq(reports.id, input.reportId)).get();
  if (!report) return refused(db, actor, action, target, refuse('not-found', 'That report does not exist.'), now);
  if (report.resolvedAt) return unchanged(`This report was already ${report.resolution ?? 'resolved'}.`);
  await write(db, async (tx) => {
    await tx.update(reports).set({ resolvedAt: now, resolvedBy: actor.id, resolution: input.resolution }).where(eq(reports.id, report.id));
    await succeeded(tx, actor, action, target, { postId: report.postId, resolution: input.resolution }, now);
    await tellReporters(tx, [report], input.resolution, now);
  });
  return { ok: true, reportId: report.id };
}

export interface ReportQueueItem {
  id: number;
  reason: string;
  createdAt: Date;
  reporterName: string | null;
  resolvedAt: Date | null;
  resolution: ReportResolution | null;
  resolverName: string | null;
  post: { id: number; number: number; raw: string; authorName: string | null; createdAt: Date; hiddenAt: Date | null; hiddenReason: string | null; deletedAt: Date | null };
  thread: { id: number; title: string; slug: string; locked: boolean; hiddenAt: Date | null };
  category: { name: string; slug: string };
  /** The post's address in its thread. */
  href: string;
}

const reporter = aliasedTable(users, 'reporter');
const author = aliasedTable(users, 'author');
const resolver = aliasedTable(users, 'resolver');

/**
 * The reports queue for moderators: open reports oldest first (first come, first
 * served), or closed ones newest first; 25 a page.
 */
export async function listReports(db: Queryable, actor: Pick<ForumActor, 'role'>, filter: { status: 'open' | 'closed'; page: number }) {
  if (!canModerate(actor)) throw new Error('Only moderators read the reports queue');
  const where = filter.status === 'open' ? isNull(reports.resolvedAt) : isNotNull(reports.resolvedAt);
  const [{ total }] = (await db.select({ total: count() }).from(reports).where(where).all()) as [{ total: number }];
  const rows = await db
    .select({
      report: reports,
      reporterName: reporter.displayName,
      resolverName: resolver.displayName,
      post: posts,
      authorName: author.displayName,
      thread: threads,
      category: { name: categories.name, slug: categories.slug },
    })
    .from(reports)
    .innerJoin(posts, eq(posts.id, reports.postId))
    .innerJoin(threads, eq(threads.id, posts.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .leftJoin(reporter, eq(reporter.id, reports.reporterId))
    .leftJoin(resolver, eq(resolver.id, reports.resolvedBy))
    .leftJoin(author, eq(author.id, posts.authorId))
    .where(where)
    .orderBy(filter.status === 'open' ? asc(reports.createdAt) : desc(reports.resolvedAt), asc(reports.id))
    .limit(REPORTS_PAGE_SIZE)
    .offset((filter.page - 1) * REPORTS_PAGE_SIZE)
    .all();
  const items: ReportQueueItem[] = rows.map((r) => ({
    id: r.report.id,
    reason: r.report.reason,
    createdAt: r.report.createdAt,
    reporterName: r.reporterName,
    resolvedAt: r.report.resolvedAt,
    resolution: r.report.resolution,
    resolverName: r.resolverName,
    post: {
      id: r.post.id,
      number: r.post.postNumber,
      raw: r.post.raw,
      authorName: r.authorName,
      createdAt: r.post.createdAt,
      hiddenAt: r.post.hiddenAt,
      hiddenReason: r.post.hiddenReason,
      deletedAt: r.post.deletedAt,
    },
    thread: { id: r.thread.id, title: r.thread.title, slug: r.thread.slug, locked: r.thread.locked, hiddenAt: r.thread.hiddenAt },
    category: r.category,
    href: postLocation(r.thread, r.post.postNumber),
  }));
  return { items, total, pages: Math.max(1, Math.ceil(total / REPORTS_PAGE_SIZE)) };
}

/** Open reports, for a count beside the moderators' link. */
export async function countOpenReports(db: Queryable): Promise<number> {
  const [{ total }] = (await db.select({ total: count() }).from(reports).where(isNull(reports.resolvedAt)).all()) as [{ total: number }];
  return total;
}

/** Every category, for the "move to" list (moderators see them all). */
export function listAllCategories(db: Queryable) {
  return db.select({ id: categories.id, name: categories.name, slug: categories.slug, allowedRoles: categories.allowedRoles, allowedOrganisationTypes: categories.allowedOrganisationTypes }).from(categories).orderBy(asc(categories.position), asc(categories.name)).all();
}
