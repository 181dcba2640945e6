import { and, eq, ne } from 'drizzle-orm';
import { sessions, totpCredentials, type Session } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { auditIn } from './audit.ts';
import { replaceWithVerifiedSessionIn } from './sessions.ts';
import { totpEncryptionKey } from './keys.ts';
import { replaceRecoveryCodesIn } from './recovery-codes.ts';
import { open, seal } from './secret-box.ts';
import { matchTotp } from './totp.ts';
import { enqueueMail } from '#lib/mail/outbox.ts';
import { isRecentlyReauthenticated, REAUTHENTICATION_NEEDED } from './reauthentication.ts';
import { refuse, type Result } from '#lib/result.ts';

/** How long a set-up page's key stays usable: time to install an app and scan. */
export const PENDING_ENROLMENT_TTL_MS = 30 * 60 * 1000;
/** What a sealed key is for: a first enrolment, or a move to a new phone; one never opens as the other. */
const PURPOSES = { enrol: 'mfa-enrol-v1', move: 'mfa-move-v1' } as const;
export type EnrolmentPurpose = keyof typeof PURPOSES;

/*
 * Why the pending key travels in the form, sealed, rather than in a table:
 * the key must survive the round trip from the set-up page to the action without
 * trusting the browser, and there is no table for half-finished enrolments (nor should
 * abandoned set-up pages leave rows behind). So the server seals it with AES-256-GCM
 * (secret-box.ts, the TOTP encryption key) together with the member's id, the session
 * id and the time it was issued. GCM is authenticated: a changed blob fails to open, and
 * a blob made for another member or another session, or older than 30 minutes, is
 * refused. The browser only carries it; it cannot read or forge it. The plaintext starts
 * with a purpose tag, so a sealed key from totp_credentials (20 raw bytes) can never be
 * mistaken for a pending enrolment or the other way round, nor a first enrolment's key
 * for a move's.
 */

export function sealPendingEnrolment(userId: number, sessionId: string, key: Uint8Array, now = new Date(), purpose: EnrolmentPurpose = 'enrol'): string {
  const plaintext = JSON.stringify([PURPOSES[purpose], userId, sessionId, now.getTime(), Buffer.from(key).toString('base64')]);
  return seal(totpEncryptionKey(), new TextEncoder().encode(plaintext)).toString('base64url');
}

/** The key a set-up page was given, if the blob is intact, this member's and this session's, and recent. */
export function openPendingEnrolment(sealed: string | undefined, userId: number, sessionId: string, now = new Date(), purpose: EnrolmentPurpose = 'enrol'): Uint8Array | null {
  if (!sealed || sealed.length > 500 || !/^[A-Za-z0-9_-]+$/.test(sealed)) return null;
  try {
    const plaintext = open(totpEncryptionKey(), Buffer.from(sealed, 'base64url')).toString('utf8');
    const [sealedFor, forUser, forSession, issuedAt, key] = JSON.parse(plaintext) as [string, number, string, number, string];
    const age = now.getTime() - issuedAt;
    if (sealedFor !== PURPOSES[purpose] || forUser !== userId || forSession !== sessionId || !(age >= 0 && age < PENDING_ENROLMENT_TTL_MS)) return null;
    const bytes = Buffer.from(key, 'base64');
    return bytes.length === 20 ? new Uint8Array(bytes) : null;
  } catch {
    // Tampered, truncated or sealed with another key.
    return null;
  }
}

export type EnrolmentResult = Result<{ recoveryCodes: string[]; token: string }>;

/** An account that has an app already must sign in with it; a second one is never added this way. */
export const ALREADY_ENROLLED = refuse('conflict', 'Your account already has an authenticator app. Sign in with a code from it.');

/**
 * Finishes TOTP enrolment once the member proves their app has the key. In one write:
 * the key is stored with the step the code matched (so that very code cannot be used
 * again), only if the member has no key yet (a session that has just a password must not
 * replace an enrolled key), fresh recovery codes replace any old ones (only their hashes
 * are stored; the plain codes are returned to be shown once), the session is replaced
 * by a fully signed-in one with a new token (returned for the cookie), and the audit row
 * is written.
 */
export async function completeTotpEnrolment(
  db: Database,
  userId: number,
  sessionId: string,
  key: Uint8Array,
  code: string,
  ip: string | null = null,
  now = new Date(),
): Promise<EnrolmentResult> {
  const step = matchTotp(key, code.replace(/\s/g, ''), 0, now);
  if (step === null) {
    return refuse('invalid', 'That code is not right. Enter the code your app shows now; if it still fails, check that the time on your phone is set automatically.', 'code');
  }
  const keySealed = seal(totpEncryptionKey(), key);
  return write(db, async (tx) => {
    const inserted = await tx
      .insert(totpCredentials)
      .values({ userId, keySealed, lastUsedStep: step, createdAt: now })
      .onConflictDoNothing()
      .returning({ userId: totpCredentials.userId });
    if (inserted.length !== 1) {
      await auditIn(tx, { actorId: userId, action: 'mfa-enrol', outcome: 'refused', ip, detail: { reason: 'already-enrolled' } }, now);
      return ALREADY_ENROLLED;
    }
    const recoveryCodes = await replaceRecoveryCodesIn(tx, userId);
    const token = await replaceWithVerifiedSessionIn(tx, sessionId, userId, now);
    if (!token) throw new Error('The session ended during enrolment.');
    await auditIn(tx, { actorId: userId, action: 'mfa-enrol', outcome: 'success', ip, detail: { method: 'totp' } }, now);
    return { ok: true, recoveryCodes, token } as const;
  });
}

export type MoveResult = Result<{ otherSessionsEnded: number }>;

/**
 * Moves a member's authenticator app to a new phone: the member confirmed it is them
 * (password and a code from the old app or a recovery code, ./reauthentication.ts), then
 * proves the new app holds the new key with a code from it. In one write: the new key
 * replaces the old (whose codes stop working at once), the member's other sessions end
 * (whoever has the old phone is signed out), the change is audited and the member is told.
 */
export async function moveAuthenticator(
  db: Database,
  userId: number,
  session: Pick<Session, 'id' | 'reauthenticatedAt'>,
  key: Uint8Array,
  code: string,
  ip: string | null = null,
  now = new Date(),
): Promise<MoveResult> {
  if (!isRecentlyReauthenticated(session, now)) return REAUTHENTICATION_NEEDED;
  const step = matchTotp(key, code.replace(/\s/g, ''), 0, now);
  if (step === null) {
    return refuse('invalid', 'That code is not right. Enter the code your new app shows now; if it still fails, check that the time on your phone is set automatically.', 'code');
  }
  const keySealed = seal(totpEncryptionKey(), key);
  return write(db, async (tx) => {
    const moved = await tx.update(totpCredentials).set({ keySealed, lastUsedStep: step, createdAt: now }).where(eq(totpCredentials.userId, userId));
    if (moved.rowsAffected !== 1) {
      // An administrator reset the second factor meanwhile: there is no app to move.
      await auditIn(tx, { actorId: userId, action: 'mfa-move', outcome: 'refused', targetType: 'user', targetId: userId, ip, detail: { reason: 'not-enrolled' } }, now);
      return refuse('conflict', 'Your account has no authenticator app to move any more. Sign out and sign in again to set one up.');
    }
    const ended = await tx.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, session.id)));
    await auditIn(tx, { actorId: userId, action: 'mfa-move', outcome: 'success', targetType: 'user', targetId: userId, ip, detail: { otherSessionsEnded: ended.rowsAffected } }, now);
    await enqueueMail(tx, { kind: 'authenticator-changed', userId, data: { how: 'replaced' } }, now);
    return { ok: true, otherSessionsEnded: ended.rowsAffected } as const;
  });
}
