/**
 * What the forum's member-facing forms write to the audit log (docs/security.md, "Audit
 * and logs"): refused access (a tampered id, a restricted category, someone else's post),
 * and a post saved although the safeguarding check warned about it. Facts only: never
 * the post's text. A bad title, a locked thread or a rate limit is not recorded.
 */
import { audit, auditIn, type AuditEntry } from '#lib/auth/audit.ts';
import type { Database, Transaction } from '#lib/db.ts';
import type { Refusal } from '#lib/result.ts';
import type { ForumActor } from './access.ts';
import { findingKinds, findPersonalData } from './safeguarding.ts';

/** Where a request came from (for the audit log), and its clock (tests set it). */
export interface RequestOptions {
  ip?: string | null;
  now?: Date;
}

/** The audit actions of the forum's member-facing forms. */
export type ForumAuditAction =
  | 'forum-thread-create'
  | 'forum-reply'
  | 'forum-post-edit'
  | 'forum-post-delete'
  | 'forum-report'
  | 'forum-guide-thread'
  | 'forum-notification-level'
  | 'forum-view';

export interface AuditTarget {
  type: 'category' | 'thread' | 'post' | 'guide' | 'notification';
  id: string | number;
}

/** The audit row of a refusal worth recording (not found, forbidden), or null. */
function entryFor(actor: Pick<ForumActor, 'id'>, action: ForumAuditAction, target: AuditTarget, refusal: Refusal, options: RequestOptions): AuditEntry | null {
  if (refusal.reason !== 'not-found' && refusal.reason !== 'forbidden') return null;
  return { actorId: actor.id, action, outcome: 'refused', targetType: target.type, targetId: String(target.id).slice(0, 80), ip: options.ip ?? null, detail: { reason: refusal.reason } };
}

/** Records a refusal of access and returns it, so callers write `return auditRefusal(…)`. */
export async function auditRefusal<R extends Refusal>(db: Database, actor: Pick<ForumActor, 'id'>, action: ForumAuditAction, target: AuditTarget, refusal: R, options: RequestOptions = {}): Promise<R> {
  const entry = entryFor(actor, action, target, refusal, options);
  if (entry) await audit(db, entry, options.now);
  return refusal;
}

/** The same, inside a write already under way. */
export async function auditRefusalIn<R extends Refusal>(tx: Transaction, actor: Pick<ForumActor, 'id'>, action: ForumAuditAction, target: AuditTarget, refusal: R, options: RequestOptions = {}): Promise<R> {
  const entry = entryFor(actor, action, target, refusal, options);
  if (entry) await auditIn(tx, entry, options.now);
  return refusal;
}

/**
 * After saving a post its author confirmed despite the safeguarding warning, in the same
 * transaction: the kinds of personal data found, never the text.
 */
export async function auditConfirmationIn(tx: Transaction, actor: Pick<ForumActor, 'id'>, text: string, post: { id: number; threadId: number }, options: RequestOptions & { now: Date }): Promise<void> {
  const kinds = findingKinds(findPersonalData(text, options.now));
  if (kinds.length === 0) return;
  await auditIn(
    tx,
    { actorId: actor.id, action: 'safeguarding-confirm', outcome: 'success', targetType: 'post', targetId: post.id, ip: options.ip ?? null, detail: { kinds, threadId: post.threadId } },
    options.now,
  );
}
