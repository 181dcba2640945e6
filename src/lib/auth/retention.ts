import { and, inArray, isNotNull, lt, or } from 'drizzle-orm';
import { auditLog, invitations, knownBrowsers, mailOutbox, notifications, passwordResets, sessions, throttleEvents } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { deleteExpiredChallengesIn } from './passkeys.ts';
import { ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS } from './sessions.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The stated retention periods (docs/operations.md, "Retention"). */
export const RETENTION = {
  /** Used, revoked or expired invitations and reset links are kept this long for the audit trail's context. */
  spentLinksMs: 30 * DAY_MS,
  /** Throttle events outlive every window by a wide margin. */
  throttleEventsMs: DAY_MS,
  /** Audit records: two years. */
  auditLogMs: 730 * DAY_MS,
  /** Outbox rows whose message is done (sent, kept, failed, skipped, carried in a digest). */
  finishedMailMs: 90 * DAY_MS,
  /** A browser not signed in from for this long is "new" again (its cookie has expired too). */
  knownBrowsersMs: 400 * DAY_MS,
  /** Forum notifications, once read: 90 days (unread ones stay until read). */
  readNotificationsMs: 90 * DAY_MS,
};

/** Deletes what the portal no longer needs; run daily (`npm run db:purge`). */
export async function purgeExpired(db: Database, now = new Date()) {
  const t = now.getTime();
  const before = (ms: number) => new Date(t - ms);
  return write(db, async (tx) => {
    const expiredSessions = await tx
      .delete(sessions)
      .where(or(lt(sessions.lastVerifiedAt, before(IDLE_TIMEOUT_MS)), lt(sessions.createdAt, before(ABSOLUTE_LIFETIME_MS))));
    const spentInvitations = await tx
      .delete(invitations)
      .where(
        and(
          lt(invitations.createdAt, before(RETENTION.spentLinksMs)),
          or(isNotNull(invitations.usedAt), isNotNull(invitations.revokedAt), lt(invitations.expiresAt, now)),
        ),
      );
    const spentResets = await tx.delete(passwordResets).where(lt(passwordResets.expiresAt, before(RETENTION.spentLinksMs)));
    const throttle = await tx.delete(throttleEvents).where(lt(throttleEvents.at, before(RETENTION.throttleEventsMs)));
    const audit = await tx.delete(auditLog).where(lt(auditLog.at, before(RETENTION.auditLogMs)));
    const mail = await tx
      .delete(mailOutbox)
      .where(and(inArray(mailOutbox.status, ['sent', 'kept', 'failed', 'skipped', 'digested']), lt(mailOutbox.doneAt, before(RETENTION.finishedMailMs))));
    const browsers = await tx.delete(knownBrowsers).where(lt(knownBrowsers.lastSeenAt, before(RETENTION.knownBrowsersMs)));
    const readNotifications = await tx.delete(notifications).where(and(isNotNull(notifications.readAt), lt(notifications.readAt, before(RETENTION.readNotificationsMs))));
    const challenges = await deleteExpiredChallengesIn(tx, now);
    return {
      sessions: expiredSessions.rowsAffected,
      invitations: spentInvitations.rowsAffected,
      passwordResets: spentResets.rowsAffected,
      throttleEvents: throttle.rowsAffected,
      auditLog: audit.rowsAffected,
      mailOutbox: mail.rowsAffected,
      knownBrowsers: browsers.rowsAffected,
      readNotifications: readNotifications.rowsAffected,
      webauthnChallenges: challenges.rowsAffected,
    };
  });
}
