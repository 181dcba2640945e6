/**
 * Reading the audit log: filter by action, actor, outcome and UTC dates, newest first,
 * a page at a time. The log itself is written by src/lib/auth/audit.ts.
 */
import { aliasedTable, and, asc, count, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, users } from '#db/schema.ts';
import type { Queryable } from '#lib/db.ts';
import { likePattern } from './common.ts';

export const AUDIT_PAGE_SIZE = 50;
export const auditOutcomes = ['success', 'failure', 'refused'] as const;
export const outcomeLabels: Record<(typeof auditOutcomes)[number], string> = { success: 'Success', failure: 'Failure', refused: 'Refused' };

const DAY_MS = 24 * 60 * 60 * 1000;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a date like 2026-03-31')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'Enter a real date, like 2026-03-31');

export const auditFiltersSchema = z.object({
  action: z.string().trim().max(100).regex(/^[a-z0-9-]+$/, 'Choose an action from the list').optional(),
  actor: z.string().trim().max(254, 'Search for at most 254 characters').optional(),
  outcome: z.enum(auditOutcomes, { error: 'Choose an outcome from the list' }).optional(),
  /** First day shown (UTC), inclusive. */
  from: isoDate.optional(),
  /** Last day shown (UTC), inclusive. */
  to: isoDate.optional(),
});
export type AuditFilters = z.infer<typeof auditFiltersSchema>;

/**
 * Reads filters from a query string. A bad value is dropped with a message for its
 * field, so the other filters still apply.
 */
export function parseAuditFilters(params: URLSearchParams): { filters: AuditFilters; errors: Record<string, string> } {
  const filters: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const key of Object.keys(auditFiltersSchema.shape) as (keyof AuditFilters)[]) {
    const raw = params.get(key)?.trim();
    if (!raw) continue;
    const parsed = auditFiltersSchema.shape[key].safeParse(raw);
    if (parsed.success) filters[key] = parsed.data;
    else errors[key] = parsed.error.issues[0]!.message;
  }
  if (filters.from && filters.to && (filters.to as string) < (filters.from as string)) {
    errors.to = 'The end date must be the same as or later than the start date';
    delete filters.to;
  }
  return { filters: filters as AuditFilters, errors };
}

export interface AuditRow {
  id: number;
  at: Date;
  actorId: number | null;
  actorEmail: string | null;
  actorName: string | null;
  action: string;
  outcome: (typeof auditOutcomes)[number];
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

const actor = aliasedTable(users, 'actor');

function conditions(filters: AuditFilters): SQL | undefined {
  const where: SQL[] = [];
  if (filters.action) where.push(eq(auditLog.action, filters.action));
  if (filters.outcome) where.push(eq(auditLog.outcome, filters.outcome));
  if (filters.actor) where.push(sql`${actor.email} like ${likePattern(filters.actor.toLowerCase())} escape '\\'`);
  if (filters.from) where.push(gte(auditLog.at, new Date(`${filters.from}T00:00:00Z`)));
  if (filters.to) where.push(lt(auditLog.at, new Date(new Date(`${filters.to}T00:00:00Z`).getTime() + DAY_MS)));
  return where.length ? and(...where) : undefined;
}

/** Entries matching the filters, newest first, with the total for paging. */
export async function listAuditEntries(db: Queryable, filters: AuditFilters = {}, page = 1, pageSize = AUDIT_PAGE_SIZE): Promise<{ rows: AuditRow[]; total: number }> {
  const where = conditions(filters);
  const [rows, totalRow] = await Promise.all([
    db
      .select({
        id: auditLog.id,
        at: auditLog.at,
        actorId: auditLog.actorId,
        // An erased member is shown by their id only ("Former member #12").
        actorEmail: sql<string | null>`case when ${actor.status} = 'erased' then null else ${actor.email} end`,
        actorName: sql<string | null>`case when ${actor.status} = 'erased' then null else ${actor.displayName} end`,
        action: auditLog.action,
        outcome: auditLog.outcome,
        targetType: auditLog.targetType,
        targetId: auditLog.targetId,
        ip: auditLog.ip,
        detail: auditLog.detail,
      })
      .from(auditLog)
      .leftJoin(actor, eq(actor.id, auditLog.actorId))
      .where(where)
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .all(),
    db.select({ n: count() }).from(auditLog).leftJoin(actor, eq(actor.id, auditLog.actorId)).where(where).get(),
  ]);
  return { rows, total: totalRow?.n ?? 0 };
}

/** Every action name in the log, for the filter's list. */
export async function auditActions(db: Queryable): Promise<string[]> {
  const rows = await db.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(asc(auditLog.action)).all();
  return rows.map((r) => r.action);
}

/** The detail of an entry as short text for a table cell. */
export function describeDetail(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('; ');
}
