import { and, eq } from 'drizzle-orm';
import { sessions, totpCredentials } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { auditIn } from './audit.ts';
import { totpEncryptionKey } from './keys.ts';
import { replaceRecoveryCodesIn } from './recovery-codes.ts';
import { open, seal } from './secret-box.ts';
import { matchTotp } from './totp.ts';
import { refuse, type Result } from '#lib/result.ts';

/** How long a set-up page's key stays usable: time to install an app and scan. */
export const PENDING_ENROLMENT_TTL_MS = 30 * 60 * 1000;
const PURPOSE = 'mfa-enrol-v1';

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
 * mistaken for a pending enrolment or the other way round.
 */

export function sealPendingEnrolment(userId: number, sessionId: string, key: Uint8Array, now = new Date()): string {
  const plaintext = JSON.stringify([PURPOSE, userId, sessionId, now.getTime(), Buffer.from(key).toString('base64')]);
  return seal(totpEncryptionKey(), new TextEncoder().encode(plaintext)).toString('base64url');
}

/** The key a set-up page was given, if the blob is intact, this member's and this session's, and recent. */
export function openPendingEnrolment(sealed: string | undefined, userId: number, sessionId: string, now = new Date()): Uint8Array | null {
  if (!sealed || sealed.length > 500 || !/^[A-Za-z0-9_-]+$/.test(sealed)) return null;
  try {
    const plaintext = open(totpEncryptionKey(), Buffer.from(sealed, 'base64url')).toString('utf8');
    const [purpose, forUser, forSession, issuedAt, key] = JSON.parse(plaintext) as [string, number, string, number, string];
    const age = now.getTime() - issuedAt;
    if (purpose !== PURPOSE || forUser !== userId || forSession !== sessionId || !(age >= 0 && age < PENDING_ENROLMENT_TTL_MS)) return null;
    const bytes = Buffer.from(key, 'base64');
    return bytes.length === 20 ? new Uint8Array(bytes) : null;
  } catch {
    // Tampered, truncated or sealed with another key.
    return null;
  }
}

export type EnrolmentResult = Result<{ recoveryCodes: string[] }>;

/** An account that has an app already must sign in with it; a second one is never added this way. */
export const ALREADY_ENROLLED = refuse('conflict', 'Your account already has an authenticator app. Sign in with a code from it.');

/**
 * Finishes TOTP enrolment once the member proves their app has the key. In one write:
 * the key is stored with the step the code matched (so that very code cannot be used
 * again), only if the member has no key yet (a session that has just a password must not
 * replace an enrolled key), fresh recovery codes replace any old ones (only their hashes
 * are stored; the plain codes are returned to be shown once), the session becomes
 * MFA-verified, and the audit row is written.
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
    await tx.update(sessions).set({ mfaVerified: true }).where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
    await auditIn(tx, { actorId: userId, action: 'mfa-enrol', outcome: 'success', ip, detail: { method: 'totp' } }, now);
    return { ok: true, recoveryCodes } as const;
  });
}
