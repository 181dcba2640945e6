import { auditLog } from '#db/schema.ts';
import { write, type Database, type Transaction } from '#lib/db.ts';

export interface AuditEntry {
  actorId: number | null;
  action: string;
  outcome: 'success' | 'failure' | 'refused';
  targetType?: string;
  targetId?: string | number;
  ip?: string | null;
  /** Facts only: never passwords, tokens, codes or post bodies. */
  detail?: Record<string, unknown>;
}

function row(entry: AuditEntry, now: Date) {
  return {
    at: now,
    actorId: entry.actorId,
    action: entry.action,
    outcome: entry.outcome,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId === undefined ? null : String(entry.targetId),
    ip: entry.ip ?? null,
    detail: entry.detail ?? null,
  };
}

/** Records who did what, when (UTC) and from where. */
export async function audit(db: Database, entry: AuditEntry, now = new Date()): Promise<void> {
  await write(db, (tx) => tx.insert(auditLog).values(row(entry, now)));
}

/** The same, inside a write already under way, so the action and its record commit together. */
export async function auditIn(tx: Transaction, entry: AuditEntry, now = new Date()): Promise<void> {
  await tx.insert(auditLog).values(row(entry, now));
}
