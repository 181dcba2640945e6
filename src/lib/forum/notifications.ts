/**
 * Notifications (Discourse's rules, cut to our four kinds). When a post is made, these
 * members hear about it, each at most once, by the strongest reason that applies:
 *
 *   mention  >  quote  >  reply  >  watching
 *
 * - mention: the post @mentions them (the rule is in ./mentions.ts);
 * - quote: the post quotes one of their posts in this thread (`quotedPosts` below);
 * - reply: the post replies to one of theirs (replyToPostNumber);
 * - watching: their level for the thread is watching (./levels.ts `effectiveLevel`).
 *
 * Never the author of the post, never a member whose level for the thread is muted (a
 * muted thread silences mentions too), never a suspended member, never anyone who cannot
 * see the category (or a hidden thread). Whoever is left out is left out silently: the
 * author learns nothing about who was or was not told.
 */
import { and, count, desc, eq, inArray, isNull, lt, lte, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import {
  categories,
  categorySubscriptions,
  notificationKinds,
  notifications,
  organisations,
  posts,
  threadSubscriptions,
  threads,
  users,
  type OrganisationType,
  type Post,
  type Role,
  type User,
} from '#db/schema.ts';
import { preparedQuery, write, type Database, type Queryable, type Transaction } from '#lib/db.ts';
import type { ForumMailKind } from '#lib/mail/kinds.ts';
import { enqueueMails } from '#lib/mail/outbox.ts';
import { refuse, type Result } from '#lib/result.ts';
import type { ForumActor } from './access.ts';
import { findMentionedMembers } from './mentions.ts';
import { canModerate, canSeeCategorySql, canSeeThread } from './permissions.ts';
import { effectiveLevel } from './levels.ts';
import { postLocation } from './urls.ts';

export type NotificationKind = (typeof notificationKinds)[number];

/** Stronger reasons first: a member told for one is not told again for a weaker. */
const precedence: Record<NotificationKind, number> = { mention: 4, quote: 3, reply: 2, watching: 1 };

export const NOTIFICATIONS_PER_PAGE = 30;

// ─── Quotes ──────────────────────────────────────────────────────────────────────

/**
 * A link to a post: its permalink /forum/p/<post id> (./urls.ts `postPermalink`, what the
 * thread page's "Quote" puts in the reply box, see ./thread-view.ts `quoteForReply`), or
 * `#post-N`, optionally after /forum/t/<thread id>/<slug>?<query> (`postLocation`).
 */
const TO_PERMALINK = /\]\(\/forum\/p\/(\d+)\)/;
const TO_POST_NUMBER = /\]\((?:\/forum\/t\/(\d+)(?:\/[^\s()#?]*)?(?:\?[^\s()#]*)?)?#post-(\d+)\)/;

/**
 * The posts this text quotes. A quote is a top-level `> ` block; its attribution is the
 * line just before it (blank lines between allowed) when that line ends with a colon, as
 * quoteForReply writes it:
 *
 *   Sam Member wrote in [post 3](/forum/p/41):
 *
 *   > The text…
 *
 * or else the block's own first line (`> **Sam** [wrote](#post-3):`). The attribution
 * must link to a post: by permalink (the caller keeps only posts of its thread) or by
 * number in thread `threadId`. Nested quotes (`> > …`) repeat older words and notify no one.
 */
export function quotedPosts(raw: string, threadId: number): { postNumbers: number[]; postIds: number[] } {
  const postNumbers = new Set<number>();
  const postIds = new Set<number>();
  /** Notes the post an attribution links to; false when it links to none (of this thread). */
  const take = (attribution: string): boolean => {
    const byId = TO_PERMALINK.exec(attribution);
    if (byId) {
      postIds.add(Number(byId[1]));
      return true;
    }
    const byNumber = TO_POST_NUMBER.exec(attribution);
    if (!byNumber || (byNumber[1] !== undefined && Number(byNumber[1]) !== threadId)) return false;
    postNumbers.add(Number(byNumber[2]));
    return true;
  };
  let inQuote = false;
  let before: string | null = null;
  for (const line of raw.replace(/\r\n?/g, '\n').split('\n')) {
    const quote = /^ {0,3}> ?(.*)$/.exec(line);
    if (quote && !inQuote) {
      const attributedBefore = before !== null && before.trimEnd().endsWith(':') && take(before);
      if (!attributedBefore && !quote[1]!.startsWith('>')) take(quote[1]!);
    }
    inQuote = Boolean(quote);
    if (!quote && line.trim()) before = line;
    else if (quote) before = null;
  }
  return { postNumbers: [...postNumbers], postIds: [...postIds] };
}

// ─── Creating notifications ──────────────────────────────────────────────────────

export interface NewPostInput {
  actor: Pick<ForumActor, 'id'>;
  /** The thread's category is read here, in the same transaction, so a move cannot race it. */
  threadId: number;
  post: Pick<Post, 'id' | 'postNumber' | 'raw' | 'replyToPostNumber'>;
}

/** The email that goes with a notification: "watching" is a new reply, or a new thread (its first post). */
function mailKindFor(kind: NotificationKind, postNumber: number): ForumMailKind {
  if (kind !== 'watching') return kind;
  return postNumber === 1 ? 'watched-category-thread' : 'watched-thread-reply';
}

/**
 * Creates the notifications for a new post, by the rules at the top of this file, and
 * queues their emails (each member's mail settings decide: straight away, a digest, or
 * none). Call it inside the transaction that inserted the post (createThread,
 * createReply), so a post, its notifications and its emails are written together.
 * Returns who was told, and why.
 */
export async function notifyForNewPost(tx: Transaction, input: NewPostInput, now = new Date()): Promise<{ userId: number; kind: NotificationKind }[]> {
  const { actor, threadId, post } = input;
  const place = await tx
    .select({ category: categories, threadHiddenAt: threads.hiddenAt })
    .from(threads)
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .where(eq(threads.id, threadId))
    .get();
  if (!place) return [];

  const reasons = new Map<number, NotificationKind>();
  const offer = (userId: number | null, kind: NotificationKind) => {
    if (userId === null) return;
    const current = reasons.get(userId);
    if (!current || precedence[kind] > precedence[current]) reasons.set(userId, kind);
  };

  for (const member of await findMentionedMembers(tx, post.raw)) offer(member.id, 'mention');

  const quoted = quotedPosts(post.raw, threadId);
  const numbers = [...quoted.postNumbers, ...(post.replyToPostNumber ? [post.replyToPostNumber] : [])];
  if (numbers.length > 0 || quoted.postIds.length > 0) {
    const earlier = await tx
      .select({ id: posts.id, postNumber: posts.postNumber, authorId: posts.authorId })
      .from(posts)
      .where(and(eq(posts.threadId, threadId), lt(posts.postNumber, post.postNumber), or(inArray(posts.postNumber, numbers), inArray(posts.id, quoted.postIds))))
      .all();
    for (const { id, postNumber, authorId } of earlier) {
      const isQuoted = quoted.postNumbers.includes(postNumber) || quoted.postIds.includes(id);
      offer(authorId, isQuoted ? 'quote' : 'reply');
    }
  }

  // Watchers of the thread, and of the category unless they chose a level for the thread.
  const threadWatchers = await tx
    .select({ userId: threadSubscriptions.userId })
    .from(threadSubscriptions)
    .where(and(eq(threadSubscriptions.threadId, threadId), eq(threadSubscriptions.level, 'watching')))
    .all();
  const categoryWatchers = await tx
    .select({ userId: categorySubscriptions.userId })
    .from(categorySubscriptions)
    .leftJoin(threadSubscriptions, and(eq(threadSubscriptions.userId, categorySubscriptions.userId), eq(threadSubscriptions.threadId, threadId)))
    .where(and(eq(categorySubscriptions.categoryId, place.category.id), eq(categorySubscriptions.level, 'watching'), isNull(threadSubscriptions.userId)))
    .all();
  for (const { userId } of [...threadWatchers, ...categoryWatchers]) offer(userId, 'watching');

  reasons.delete(actor.id);
  if (reasons.size === 0) return [];

  const members = await tx
    .select({
      id: users.id,
      displayName: users.displayName,
      role: users.role,
      organisationType: organisations.type,
      status: users.status,
      threadLevel: threadSubscriptions.level,
      categoryLevel: categorySubscriptions.level,
    })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .leftJoin(threadSubscriptions, and(eq(threadSubscriptions.userId, users.id), eq(threadSubscriptions.threadId, threadId)))
    .leftJoin(categorySubscriptions, and(eq(categorySubscriptions.userId, users.id), eq(categorySubscriptions.categoryId, place.category.id)))
    .where(inArray(users.id, [...reasons.keys()]))
    .all();

  const told = members
    .filter((m) => m.status === 'active')
    .filter((m) => canSeeThread(m, { hiddenAt: place.threadHiddenAt }, place.category))
    .filter((m) => effectiveLevel(m.threadLevel, m.categoryLevel) !== 'muted')
    .map((m) => ({ userId: m.id, kind: reasons.get(m.id)! }))
    .sort((a, b) => a.userId - b.userId);
  if (told.length > 0) {
    await tx.insert(notifications).values(told.map((t) => ({ ...t, threadId, postId: post.id, actorId: actor.id, createdAt: now })));
    await enqueueMails(tx, told.map((t) => ({ kind: mailKindFor(t.kind, post.postNumber), userId: t.userId, data: { postId: post.id } })), now);
  }
  return told;
}

// ─── Reading them ────────────────────────────────────────────────────────────────

/** A value, or a column or expression holding it. */
type Expr<T> = T | SQLWrapper;

/**
 * The notifications a member may still see: the category is open to them, the post is
 * not deleted, and (unless they moderate) neither the post nor its thread is hidden. A
 * post hidden after the notification was made drops out of the list and the count.
 */
function stillVisible(member: { role: Expr<Role>; organisationType: Expr<OrganisationType> }, moderator: boolean): SQL {
  const categoryOpen = canSeeCategorySql(member, { allowedRoles: categories.allowedRoles, allowedOrganisationTypes: categories.allowedOrganisationTypes });
  const moderation = moderator ? sql`1` : and(isNull(threads.hiddenAt), isNull(posts.hiddenAt))!;
  return and(categoryOpen, isNull(posts.deletedAt), moderation)!;
}

/** The count below, prepared once for members and once for moderators (who also count hidden posts). */
const unreadCount = (moderator: boolean) =>
  preparedQuery((db) => {
    const organisationType = sql<OrganisationType>`(select ${organisations.type} from ${organisations} where ${organisations.id} = ${sql.placeholder('organisationId')})`;
    return db
      .select({ n: count() })
      .from(notifications)
      .innerJoin(threads, eq(threads.id, notifications.threadId))
      .innerJoin(categories, eq(categories.id, threads.categoryId))
      .innerJoin(posts, eq(posts.id, notifications.postId))
      .where(and(eq(notifications.userId, sql.placeholder('userId')), isNull(notifications.readAt), stillVisible({ role: sql.placeholder('role'), organisationType }, moderator)))
      .prepare();
  });
const unreadCountFor = { member: unreadCount(false), moderator: unreadCount(true) };

/**
 * The header's "Notifications (N)": one COUNT over the member's unread notifications
 * (indexed by user and read time), with the same visibility as the list.
 */
export async function countUnreadNotifications(db: Queryable, user: Pick<User, 'id' | 'role' | 'organisationId'>): Promise<number> {
  const query = unreadCountFor[canModerate(user) ? 'moderator' : 'member'](db);
  const row = await query.get({ userId: user.id, role: user.role, organisationId: user.organisationId });
  return row?.n ?? 0;
}

export interface NotificationItem {
  id: number;
  kind: NotificationKind;
  createdAt: Date;
  readAt: Date | null;
  threadId: number;
  threadTitle: string;
  postNumber: number;
  /** Who wrote the post; null when their account is gone. */
  actorName: string | null;
  /** Where the post is shown (./urls.ts `postLocation`). */
  href: string;
}

/** A page of the member's notifications, newest first, with the unread count. */
export async function listNotifications(db: Queryable, actor: ForumActor, page = 1) {
  const actors = alias(users, 'actors');
  const where = and(eq(notifications.userId, actor.id), stillVisible(actor, canModerate(actor)));
  const base = () =>
    db
      .select({ n: count() })
      .from(notifications)
      .innerJoin(threads, eq(threads.id, notifications.threadId))
      .innerJoin(categories, eq(categories.id, threads.categoryId))
      .innerJoin(posts, eq(posts.id, notifications.postId));
  const totals = await base().where(where).get();
  const unread = await base().where(and(where, isNull(notifications.readAt))).get();
  const rows = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
      threadId: threads.id,
      threadTitle: threads.title,
      threadSlug: threads.slug,
      postNumber: posts.postNumber,
      actorName: actors.displayName,
    })
    .from(notifications)
    .innerJoin(threads, eq(threads.id, notifications.threadId))
    .innerJoin(categories, eq(categories.id, threads.categoryId))
    .innerJoin(posts, eq(posts.id, notifications.postId))
    .leftJoin(actors, eq(actors.id, notifications.actorId))
    .where(where)
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(NOTIFICATIONS_PER_PAGE)
    .offset((Math.max(1, page) - 1) * NOTIFICATIONS_PER_PAGE)
    .all();
  const total = totals?.n ?? 0;
  const items: NotificationItem[] = rows.map(({ threadSlug, ...row }) => ({ ...row, href: postLocation({ id: row.threadId, slug: threadSlug }, row.postNumber) }));
  return { items, total, unread: unread?.n ?? 0, pages: Math.max(1, Math.ceil(total / NOTIFICATIONS_PER_PAGE)) };
}

/** Marks one of the member's own notifications read; someone else's is "not found", like one that does not exist. */
export async function markNotificationRead(db: Database, userId: number, notificationId: number, now = new Date()): Promise<Result> {
  return write(db, async (tx) => {
    const own = await tx
      .select({ id: notifications.id, readAt: notifications.readAt })
      .from(notifications)
      .where(and(eq(notifications.id, notificationId), eq(notifications.userId, userId)))
      .get();
    if (!own) return refuse('not-found', 'That notification does not exist, or is not yours.');
    if (!own.readAt) await tx.update(notifications).set({ readAt: now }).where(eq(notifications.id, own.id));
    return { ok: true as const };
  });
}

/** Marks every unread notification of the member read; returns how many were. */
export async function markAllNotificationsRead(db: Database, userId: number, now = new Date()): Promise<number> {
  return write(db, async (tx) => {
    const changed = await tx
      .update(notifications)
      .set({ readAt: now })
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    return changed.length;
  });
}

/**
 * For the thread page, beside `markRead`: reading a thread up to a post reads the
 * notifications about it and the posts before it (as Discourse does).
 */
export async function markThreadNotificationsRead(tx: Queryable, userId: number, threadId: number, upToPostNumber: number, now = new Date()): Promise<void> {
  await tx
    .update(notifications)
    .set({ readAt: now })
    .where(
      and(
        eq(notifications.userId, userId),
        eq(notifications.threadId, threadId),
        isNull(notifications.readAt),
        inArray(
          notifications.postId,
          tx.select({ id: posts.id }).from(posts).where(and(eq(posts.threadId, threadId), lte(posts.postNumber, upToPostNumber))),
        ),
      ),
    );
}
