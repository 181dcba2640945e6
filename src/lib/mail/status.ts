/**
 * What administrators see of the outbox: every message's kind, recipient and delivery
 * status, never its text or links (except, outside production with no SMTP server, the
 * messages kept instead of sent: reading them is how a demo gets its invitation links).
 */
import { and, count, desc, eq, gt, inArray, isNotNull } from 'drizzle-orm';
import { mailOutbox, mailStatuses, users, type MailStatus, type OutboxRow } from '#db/schema.ts';
import { audit, auditIn } from '#lib/auth/audit.ts';
import { write, type Database, type Queryable } from '#lib/db.ts';
import type { Actor } from '#lib/admin/common.ts';
import { refuse, type Result } from '#lib/result.ts';
import { kindInfo } from './kinds.ts';

export const OUTBOX_PAGE_SIZE = 50;

/** The status filter of /admin/outbox: `waiting` is queued (new, sending or to be retried). */
export const outboxFilters = ['waiting', 'held', 'sent', 'kept', 'failed', 'skipped', 'digested'] as const satisfies readonly (MailStatus | 'waiting')[];
export type OutboxFilter = (typeof outboxFilters)[number];
export const outboxFilterLabels: Record<OutboxFilter, string> = {
  waiting: 'Waiting to be sent',
  held: 'Held for a digest',
  sent: 'Sent',
  kept: 'Kept (no mail server)',
  failed: 'Failed',
  skipped: 'Not sent',
  digested: 'Sent in a digest',
};

const statusOf = (filter: OutboxFilter): MailStatus => (filter === 'waiting' ? 'queued' : filter);

export interface OutboxItem {
  id: number;
  kind: string;
  /** Where it went or goes: the address for an invitation, else the member's. */
  to: string;
  status: MailStatus;
  /** One line for administrators: "Sent 2026-12-01 10:00:00 UTC", "Will try again at …: 451 Busy". */
  state: string;
  attempts: number;
  createdAt: Date;
  /** Outside production, a kept message can be read at /admin/outbox/<id>. */
  readable: boolean;
}

const utc = (date: Date) => `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** One line describing where a message is, for the outbox and the members' pages. */
export function describeState(row: Pick<OutboxRow, 'status' | 'attempts' | 'nextAttemptAt' | 'leaseUntil' | 'lastError' | 'doneAt' | 'digest'>, now = new Date()): string {
  switch (row.status) {
    case 'queued':
      if (row.leaseUntil && row.leaseUntil.getTime() > now.getTime()) return 'Sending now';
      if (row.attempts === 0) return 'Waiting to be sent';
      return `Will try again at ${utc(row.nextAttemptAt)} (${row.attempts} ${row.attempts === 1 ? 'attempt' : 'attempts'} so far): ${row.lastError ?? 'no answer'}`;
    case 'held':
      return `Held for the member’s ${row.digest ?? 'daily'} digest`;
    case 'digested':
      return 'Went out in a digest';
    case 'sent':
      return `Sent ${row.doneAt ? utc(row.doneAt) : ''}`.trim();
    case 'kept':
      return 'Kept here, not sent: no mail server is set up (SMTP_URL)';
    case 'failed':
      return `Failed: ${row.lastError ?? 'no reason given'}`;
    case 'skipped':
      return `Not sent: ${row.lastError ?? 'no longer needed'}`;
  }
}

function toItem(row: OutboxRow & { memberEmail: string | null }, now: Date): OutboxItem {
  return {
    id: row.id,
    kind: kindInfo[row.kind]?.label ?? row.kind,
    to: row.toAddress ?? row.memberEmail ?? 'A former member',
    status: row.status,
    state: describeState(row, now),
    attempts: row.attempts,
    createdAt: row.createdAt,
    readable: row.status === 'kept' && row.keptText !== null,
  };
}

/** A page of the outbox, newest first, optionally of one status, with the total. */
export async function listOutbox(db: Queryable, filter: OutboxFilter | undefined, page = 1, now = new Date()): Promise<{ items: OutboxItem[]; total: number }> {
  const where = filter ? eq(mailOutbox.status, statusOf(filter)) : undefined;
  const [rows, totals] = await Promise.all([
    db
      .select({ row: mailOutbox, memberEmail: users.email })
      .from(mailOutbox)
      .leftJoin(users, eq(users.id, mailOutbox.userId))
      .where(where)
      .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
      .limit(OUTBOX_PAGE_SIZE)
      .offset((page - 1) * OUTBOX_PAGE_SIZE)
      .all(),
    db.select({ n: count() }).from(mailOutbox).where(where).get(),
  ]);
  return { items: rows.map((r) => toItem({ ...r.row, memberEmail: r.memberEmail }, now)), total: totals?.n ?? 0 };
}

/** How many messages are in each status (for the outbox's summary and the admin home page). */
export async function outboxCounts(db: Queryable): Promise<Record<MailStatus, number>> {
  const rows = await db.select({ status: mailOutbox.status, n: count() }).from(mailOutbox).groupBy(mailOutbox.status).all();
  const counts = Object.fromEntries(mailStatuses.map((s) => [s, 0])) as Record<MailStatus, number>;
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

/** The latest message about each of these things (`invitation:12`…), as one line each. */
export async function mailStateByRef(db: Queryable, refs: string[], now = new Date()): Promise<Map<string, { state: string; status: MailStatus }>> {
  if (refs.length === 0) return new Map();
  const rows = await db.select().from(mailOutbox).where(inArray(mailOutbox.ref, refs)).orderBy(mailOutbox.id).all();
  return new Map(rows.map((row) => [row.ref!, { state: describeState(row, now), status: row.status }]));
}

/** The newest password reset email of a member (for their admin page), if any in the last day. */
export async function latestResetMail(db: Queryable, userId: number, now = new Date()) {
  const row = await db
    .select()
    .from(mailOutbox)
    .where(and(eq(mailOutbox.userId, userId), eq(mailOutbox.kind, 'password-reset'), gt(mailOutbox.createdAt, new Date(now.getTime() - 24 * 60 * 60 * 1000))))
    .orderBy(desc(mailOutbox.id))
    .get();
  return row ? { createdAt: row.createdAt, state: describeState(row, now), status: row.status } : null;
}

/** A kept message's text, for /admin/outbox/<id>; null for anything else (sent mail is never shown). */
export async function keptMessage(db: Queryable, id: number) {
  const row = await db
    .select({ id: mailOutbox.id, kind: mailOutbox.kind, to: mailOutbox.toAddress, keptText: mailOutbox.keptText, doneAt: mailOutbox.doneAt })
    .from(mailOutbox)
    .where(and(eq(mailOutbox.id, id), eq(mailOutbox.status, 'kept'), isNotNull(mailOutbox.keptText)))
    .get();
  return row ? { ...row, kind: kindInfo[row.kind]?.label ?? row.kind } : null;
}

/**
 * Sends a failed message again (after the address or the mail server was put right): it
 * is queued with a fresh count of attempts. Its links are gone (removed when it failed),
 * so an invitation or reset link must be made again instead.
 */
export async function retryFailedMessage(db: Database, actor: Actor, id: number, now = new Date()): Promise<Result<{ id: number }>> {
  const row = await db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get();
  const refused = async (message: string) => {
    await audit(db, { actorId: actor.userId, action: 'mail-retry', outcome: 'refused', targetType: 'mail', targetId: id, ip: actor.ip, detail: { reason: message } }, now);
    return refuse('conflict', message);
  };
  if (!row || row.status !== 'failed') return refused('That message has not failed, or no longer exists. Reload the outbox.');
  if (row.kind === 'invitation' || row.kind === 'password-reset') {
    return refused(`A failed ${row.kind === 'invitation' ? 'invitation' : 'reset'} email cannot be sent again: its link was removed. ${row.kind === 'invitation' ? 'Resend the invitation' : 'Email a new reset link'} on the members page.`);
  }
  await write(db, async (tx) => {
    await tx.update(mailOutbox).set({ status: 'queued', attempts: 0, nextAttemptAt: now, lastError: null, doneAt: null }).where(and(eq(mailOutbox.id, id), eq(mailOutbox.status, 'failed')));
    await auditIn(tx, { actorId: actor.userId, action: 'mail-retry', outcome: 'success', targetType: 'mail', targetId: id, ip: actor.ip, detail: { kind: row.kind } }, now);
  });
  return { ok: true, id };
}

