/**
 * Erasing a member's account (UK GDPR, the right to erasure): by the member ("Delete my
 * account" on /account/delete) or by an administrator. One rule for what goes and what
 * stays, in `eraseIn`, whoever asks:
 *
 * - Gone: their name, email address, password, directory profile, authenticator key,
 *   passkeys, recovery codes, sessions, notifications, notification settings (watching,
 *   muting), email settings, known browsers, their mail in the outbox (sent or not),
 *   their private calendar feed, the drafts the browser editor kept for them,
 *   read positions, open reset links, the invitation that brought them in,
 *   their throttle counters, and their email address wherever the audit log quoted it.
 *   (Drafts of posts live only in the browser; the response that confirms the deletion
 *   tells the browser to clear them.)
 * - Kept: the row itself, renamed "Former member" with status `erased`, so that their
 *   forum posts stay in the threads they belong to, shown as by "Former member", and the
 *   audit log keeps its events with the member's id (never their name). Their posts are
 *   deleted too (text removed, marked deleted) when they ask for it: an administrator
 *   does that, at erasure or later.
 *
 * The email address is free again at once, so the person can be invited back later.
 */
import { and, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import {
  auditLog,
  calendarFeeds,
  categorySubscriptions,
  invitations,
  keptVersions,
  knownBrowsers,
  mailKindSettings,
  mailOutbox,
  mailPreferences,
  memberProfiles,
  notifications,
  passwordResets,
  postRevisions,
  posts,
  readStates,
  recoveryCodes,
  sessions,
  threadSubscriptions,
  threads,
  throttleEvents,
  totpCredentials,
  users,
  type User,
} from '#db/schema.ts';
import { write, type Database, type Transaction } from '#lib/db.ts';
import { refuse, type Refusal, type Result } from '#lib/result.ts';
import { audit, auditIn } from './audit.ts';
import { checkCredentials, type Credentials } from './reauthentication.ts';
import { deletePasskeysIn } from './passkeys.ts';
import { mfaThrottleKey } from './throttle.ts';
import { findUserById } from './users.ts';

/** How an erased member is shown wherever their name was. */
export const FORMER_MEMBER = 'Former member';
/** What the member types to confirm, so a deletion is never one slip of the finger. */
export const CONFIRMATION_WORD = 'DELETE';

/** The email column must stay unique and can never match an address (no @), so the real address is free again. */
const erasedEmail = (userId: number) => `erased:${userId}`;

/** Who is asking: the member themselves, or an administrator (or the command line). */
export interface Eraser {
  /** Null for the command line. */
  userId: number | null;
  ip: string | null;
  by: 'member' | 'administrator';
  via?: 'web' | 'cli';
}

export interface ErasureOptions {
  /** Also delete their posts (text removed, marked deleted), when they asked for it. */
  removePosts?: boolean;
}

/**
 * Everything erasure does, inside one write: see the top of this file. Returns how many
 * posts were deleted. The caller has checked who may do it.
 */
export async function eraseIn(tx: Transaction, target: Pick<User, 'id' | 'email'>, eraser: Eraser, options: ErasureOptions, now: Date): Promise<{ postsRemoved: number; sessionsEnded: number }> {
  const id = target.id;
  const ended = await tx.delete(sessions).where(eq(sessions.userId, id));
  for (const table of [
    totpCredentials,
    recoveryCodes,
    memberProfiles,
    notifications,
    threadSubscriptions,
    categorySubscriptions,
    readStates,
    passwordResets,
    mailPreferences,
    mailKindSettings,
    knownBrowsers,
    calendarFeeds,
  ]) {
    await tx.delete(table).where(eq(table.userId, id));
  }
  await deletePasskeysIn(tx, id);
  // Their text that the browser editor kept rather than wrote (a refused save, work a
  // rollback replaced): drafts held on the server, theirs alone.
  await tx.delete(keptVersions).where(eq(keptVersions.userId, id));
  // Their mail, sent or waiting (a message still queued is never sent), and invitations to their address.
  await tx.delete(mailOutbox).where(or(eq(mailOutbox.userId, id), eq(mailOutbox.toAddress, target.email)));
  await tx.delete(invitations).where(eq(invitations.email, target.email));
  await tx.delete(throttleEvents).where(
    inArray(throttleEvents.key, [`sign-in:account:${target.email}`, mfaThrottleKey(id), `password-change:account:${id}`, `forum-post:${id}`, `forum-report:${id}`]),
  );
  // The address quoted in audit details (an invitation, a suspension) is replaced; the rows keep the member's id.
  await tx
    .update(auditLog)
    .set({ detail: sql`replace(${auditLog.detail}, ${JSON.stringify(target.email)}, ${JSON.stringify(`[erased member #${id}]`)})` })
    .where(sql`instr(${auditLog.detail}, ${JSON.stringify(target.email)}) > 0`);

  const postsRemoved = options.removePosts ? await removePostsIn(tx, id, eraser.userId, now) : 0;
  await tx
    .update(users)
    .set({ email: erasedEmail(id), displayName: FORMER_MEMBER, passwordHash: '', role: 'member', status: 'erased', lastSeenAt: null, erasedAt: now })
    .where(eq(users.id, id));
  return { postsRemoved, sessionsEnded: ended.rowsAffected };
}

/**
 * Deletes a member's posts for good: the text and its earlier versions are removed (the
 * search index follows, by trigger), each is marked deleted, and the threads' reply
 * counts drop for replies that were visible. The posts keep their numbers, so the
 * conversation around them still reads in order.
 */
export async function removePostsIn(tx: Transaction, authorId: number, by: number | null, now: Date): Promise<number> {
  const theirs = await tx.select({ id: posts.id, threadId: posts.threadId, postNumber: posts.postNumber, hiddenAt: posts.hiddenAt, deletedAt: posts.deletedAt }).from(posts).where(eq(posts.authorId, authorId)).all();
  if (theirs.length === 0) return 0;
  const ids = theirs.map((p) => p.id);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await tx.delete(postRevisions).where(inArray(postRevisions.postId, chunk));
    await tx.update(posts).set({ raw: '', html: '' }).where(inArray(posts.id, chunk));
    await tx.update(posts).set({ deletedAt: now, deletedBy: by }).where(and(inArray(posts.id, chunk), isNull(posts.deletedAt)));
  }
  // The reply count is of replies members can read: only replies neither hidden nor deleted before count down.
  const counted = new Map<number, number>();
  for (const p of theirs) if (p.postNumber > 1 && !p.hiddenAt && !p.deletedAt) counted.set(p.threadId, (counted.get(p.threadId) ?? 0) + 1);
  for (const [threadId, n] of counted) await tx.update(threads).set({ replyCount: sql`max(0, ${threads.replyCount} - ${n})` }).where(eq(threads.id, threadId));
  return theirs.length;
}

const notFound = refuse('not-found', 'That member does not exist, or has been erased already.');

/** Whether another active administrator would remain: the network must always keep one. */
export async function anotherAdministrator(db: Database, userId: number): Promise<boolean> {
  const other = await db.select({ id: users.id }).from(users).where(and(eq(users.role, 'admin'), eq(users.status, 'active'), ne(users.id, userId))).limit(1).get();
  return Boolean(other);
}

export interface OwnErasureInput extends Credentials {
  confirmation: string;
}

/**
 * "Delete my account": the member confirms with their password and a code (or recovery
 * code), and types DELETE. Then everything in `eraseIn` happens at once, and the member's
 * sessions end. The last administrator cannot delete their account.
 */
export async function eraseOwnAccount(db: Database, userId: number, input: OwnErasureInput, ip: string | null, now = new Date()): Promise<Result<{ sessionsEnded: number }>> {
  if (input.confirmation.trim() !== CONFIRMATION_WORD) return refuse('invalid', `Type ${CONFIRMATION_WORD} in capital letters to confirm.`, 'confirmation');
  const checked = await checkCredentials(db, userId, input, 'account-erase', ip, now);
  if (!checked.ok) return checked;
  const user = (await findUserById(db, userId))!;
  if (user.role === 'admin' && !(await anotherAdministrator(db, userId))) {
    await audit(db, { actorId: userId, action: 'account-erase', outcome: 'refused', targetType: 'user', targetId: userId, ip, detail: { reason: 'last-administrator' } }, now);
    return refuse('conflict', 'You are the only administrator. Make another member an administrator first, so that the network keeps one.');
  }
  const { sessionsEnded } = await write(db, async (tx) => {
    const done = await eraseIn(tx, user, { userId, ip, by: 'member' }, {}, now);
    await auditIn(tx, { actorId: userId, action: 'account-erase', outcome: 'success', targetType: 'user', targetId: userId, ip, detail: { by: 'member', sessionsEnded: done.sessionsEnded } }, now);
    return done;
  });
  return { ok: true, sessionsEnded };
}

/** Why an administrator may not erase this member, or null. */
export function erasureRefusal(eraser: Pick<Eraser, 'userId'>, target: Pick<User, 'id' | 'status'> | undefined): Refusal | null {
  if (!target || target.status === 'erased') return notFound;
  if (target.id === eraser.userId) return refuse('self', 'To delete your own account, use “Delete my account” on your account page.');
  return null;
}

/**
 * An administrator erases a member (at the member's request, or when they have left):
 * the same erasure, audited with the administrator as actor. `removePosts` deletes their
 * posts too, when the member asked for that.
 */
export async function eraseMember(db: Database, eraser: Eraser, input: { userId: number; confirmation: string } & ErasureOptions, now = new Date()): Promise<Result<{ postsRemoved: number; sessionsEnded: number }>> {
  const target = await findUserById(db, input.userId);
  const refusal = erasureRefusal(eraser, target);
  const via = eraser.via === 'cli' ? { via: 'cli' } : {};
  if (refusal) {
    await audit(db, { actorId: eraser.userId, action: 'account-erase', outcome: 'refused', targetType: 'user', targetId: input.userId, ip: eraser.ip, detail: { reason: refusal.reason, ...via } }, now);
    return refusal;
  }
  if (input.confirmation.trim() !== CONFIRMATION_WORD) return refuse('invalid', `Type ${CONFIRMATION_WORD} in capital letters to confirm.`, 'confirmation');
  const done = await write(db, async (tx) => {
    const result = await eraseIn(tx, target!, eraser, input, now);
    await auditIn(tx, { actorId: eraser.userId, action: 'account-erase', outcome: 'success', targetType: 'user', targetId: target!.id, ip: eraser.ip, detail: { by: 'administrator', ...result, ...via } }, now);
    return result;
  });
  return { ok: true, ...done };
}

/**
 * Deletes an erased member's posts later, when they ask after their account has gone (an
 * administrator checks it is them). Only for erased members: a current member's posts are
 * deleted one by one, by them or a moderator.
 */
export async function removeFormerMemberPosts(db: Database, eraser: Eraser, input: { userId: number }, now = new Date()): Promise<Result<{ postsRemoved: number }>> {
  const target = await findUserById(db, input.userId);
  if (!target || target.status !== 'erased') {
    await audit(db, { actorId: eraser.userId, action: 'former-member-posts-remove', outcome: 'refused', targetType: 'user', targetId: input.userId, ip: eraser.ip, detail: { reason: 'not-erased' } }, now);
    return refuse('conflict', 'Only an erased member’s posts are deleted all at once. Erase the account first, or delete posts one by one.');
  }
  const postsRemoved = await write(db, async (tx) => {
    const n = await removePostsIn(tx, target.id, eraser.userId, now);
    await auditIn(tx, { actorId: eraser.userId, action: 'former-member-posts-remove', outcome: 'success', targetType: 'user', targetId: target.id, ip: eraser.ip, detail: { postsRemoved: n } }, now);
    return n;
  });
  return { ok: true, postsRemoved };
}
