/**
 * Refused forum access goes in the audit log (docs/security.md, "Audit and logs"): a tampered
 * id, a restricted category, someone else's post. Facts only: never the post's text.
 */
import { audit } from '#lib/auth/audit.ts';
import type { Database } from '#lib/db.ts';
import type { ForumActor, Refusal } from './access.ts';

/** The audit actions of the forum's member-facing forms. */
export type ForumAuditAction = 'forum-thread-create' | 'forum-reply' | 'forum-post-edit' | 'forum-post-delete' | 'forum-report' | 'forum-guide-thread' | 'forum-view';

export interface AuditTarget {
  type: 'category' | 'thread' | 'post' | 'guide';
  id: string | number;
}

/** Access refusals (not found, forbidden) are recorded; a bad title or a rate limit is not. */
export async function auditRefusal(
  db: Database,
  actor: Pick<ForumActor, 'id'>,
  action: ForumAuditAction,
  target: AuditTarget,
  refusal: Refusal,
  ip?: string | null,
): Promise<void> {
  if (refusal.reason !== 'not-found' && refusal.reason !== 'forbidden') return;
  await audit(db, {
    actorId: actor.id,
    action,
    outcome: 'refused',
    targetType: target.type,
    targetId: String(target.id).slice(0, 80),
    ip: ip ?? null,
    detail: { reason: refusal.reason },
  });
}
