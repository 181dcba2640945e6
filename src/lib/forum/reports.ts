/**
 * Members report a post to the moderators, with a reason. Resolving reports is the
 * moderation tools' job (src/lib/forum/moderation*); this module only creates them.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { reports } from '#db/schema.ts';
import { auditIn } from '#lib/auth/audit.ts';
import { throttle } from '#lib/auth/throttle.ts';
import { write, type Database } from '#lib/db.ts';
import { notFound, type ForumActor, type Refusal } from './access.ts';
import { canReadPostText, findVisiblePost, type ChangeOptions } from './post-edits.ts';
import { auditRefusal } from './refusals.ts';

export const REPORT_REASON_MIN = 5;
export const REPORT_REASON_MAX = 1_000;
/** Reports per member: 10 in 10 minutes is plenty for real use and stops a flood. */
export const REPORT_LIMIT = { max: 10, windowMs: 10 * 60_000 };

export const reportReasonSchema = z
  .string()
  .trim()
  .min(REPORT_REASON_MIN, `Say what is wrong with this post, in at least ${REPORT_REASON_MIN} characters`)
  .max(REPORT_REASON_MAX, `Keep the reason to ${REPORT_REASON_MAX.toLocaleString('en-GB')} characters or fewer`);

export type Report = typeof reports.$inferSelect;

export type ReportPostResult = { ok: true; report: Report; alreadyReported: boolean } | Refusal;

/**
 * Reports a post this member can see and did not write. A second report of the same
 * post by the same member while the first is open changes nothing.
 */
export async function reportPost(db: Database, actor: ForumActor, input: { postId: number; reason: string }, options: ChangeOptions = {}): Promise<ReportPostResult> {
  const now = options.now ?? new Date();
  const found = await findVisiblePost(db, actor, input.postId);
  if (!found || !canReadPostText(actor, found.post)) {
    await auditRefusal(db, actor, 'forum-report', { type: 'post', id: input.postId }, notFound, options.ip);
    return notFound;
  }
  if (found.post.authorId === actor.id) {
    return { ok: false, reason: 'invalid', field: 'reason', message: 'You cannot report your own post. Edit or delete it instead.' };
  }
  const limited = await throttle(db, [`forum-report:${actor.id}`], REPORT_LIMIT, now);
  if (!limited.allowed) {
    return {
      ok: false,
      reason: 'rate-limited',
      retryAfterSeconds: limited.retryAfterSeconds,
      message: `You have sent many reports in a short time. Wait ${Math.ceil(limited.retryAfterSeconds / 60)} minutes, then try again; your reason is kept below.`,
    };
  }
  return write(db, async (tx) => {
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
