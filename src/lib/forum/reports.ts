/**
 * Members report a post to the moderators, with a reason. Resolving reports is the
 * moderation tools' job (./moderation.ts); this module only creates them.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { reports } from '#db/schema.ts';
import { auditIn } from '#lib/auth/audit.ts';
import { throttleIn } from '#lib/auth/throttle.ts';
import { write, type Database } from '#lib/db.ts';
import { rateLimited, refuse, type Result } from '#lib/result.ts';
import { notFound, type ForumActor } from './access.ts';
import { auditRefusalIn, type RequestOptions } from './audit.ts';
import { canReadPostText, canReportPost } from './permissions.ts';
import { findVisiblePost } from './post-edits.ts';
import { formatCount } from '#lib/numbers.ts';

export const REPORT_REASON_MIN = 5;
export const REPORT_REASON_MAX = 1_000;
/** Reports per member: 10 in 10 minutes is plenty for real use and stops a flood. */
export const REPORT_LIMIT = { max: 10, windowMs: 10 * 60_000 };

export const reportReasonSchema = z
  .string({ error: `Say what is wrong with this post, in at least ${REPORT_REASON_MIN} characters` })
  .trim()
  .min(REPORT_REASON_MIN, `Say what is wrong with this post, in at least ${REPORT_REASON_MIN} characters`)
  .max(REPORT_REASON_MAX, `Keep the reason to ${formatCount(REPORT_REASON_MAX)} characters or fewer`);

export type Report = typeof reports.$inferSelect;

export type ReportPostResult = Result<{ report: Report; alreadyReported: boolean }>;

/**
 * Reports a post this member can see and did not write. A second report of the same
 * post by the same member while the first is open changes nothing.
 */
export async function reportPost(db: Database, actor: ForumActor, input: { postId: number; reason: string }, options: RequestOptions = {}): Promise<ReportPostResult> {
  const now = options.now ?? new Date();
  return write(db, async (tx) => {
    const found = await findVisiblePost(tx, actor, input.postId);
    if (!found || !canReadPostText(actor, found.post)) return auditRefusalIn(tx, actor, 'forum-report', { type: 'post', id: input.postId }, notFound, { ...options, now });
    if (!canReportPost(actor, found.post)) return refuse('invalid', 'You cannot report your own post. Edit or delete it instead.', 'reason');
    const limited = await throttleIn(tx, [`forum-report:${actor.id}`], REPORT_LIMIT, now);
    if (!limited.allowed) {
      return rateLimited(
        limited.retryAfterSeconds,
        `You have sent many reports in a short time. Wait ${Math.ceil(limited.retryAfterSeconds / 60)} minutes, then try again; your reason is kept below.`,
      );
    }
    const open = await tx
      .select()
      .from(reports)
      .where(and(eq(reports.postId, input.postId), eq(reports.reporterId, actor.id), isNull(reports.resolvedAt)))
      .get();
    if (open) return { ok: true as const, report: open, alreadyReported: true };
    const [report] = await tx.insert(reports).values({ postId: input.postId, reporterId: actor.id, reason: input.reason, createdAt: now }).returning();
    // The reason stays in the reports table for moderators; the audit row only says that it happened.
    await auditIn(tx, { actorId: actor.id, action: 'forum-report', outcome: 'success', targetType: 'post', targetId: input.postId, ip: options.ip ?? null, detail: { reportId: report!.id } }, now);
    return { ok: true as const, report: report!, alreadyReported: false };
  });
}
