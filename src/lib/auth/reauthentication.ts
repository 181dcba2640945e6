/**
 * "Confirm it's you": before a change that could lock a member out or let someone else
 * in (moving the authenticator app to a new phone), the member gives their
 * password and a current code (or a recovery code) again, even though they are signed in.
 * Success marks the session re-authenticated for REAUTHENTICATION_WINDOW_MS, so a few
 * such changes in a row need one confirmation (GitHub calls it sudo mode). A stolen
 * session cookie alone can therefore never change how the member signs in.
 * Deleting the account asks for password and code on its own form instead (./erasure.ts).
 */
import { and, eq } from 'drizzle-orm';
import type { Session } from '#db/schema.ts';
import { sessions } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { rateLimited, refuse, type Result } from '#lib/result.ts';
import { audit } from './audit.ts';
import { verifyPassword } from './passwords.ts';
import { useRecoveryCode } from './recovery-codes.ts';
import { clearThrottle, mfaThrottleKey, throttle } from './throttle.ts';
import { verifyUserTotp } from './totp.ts';
import { findUserById } from './users.ts';

/** How long a confirmation lasts. */
export const REAUTHENTICATION_WINDOW_MS = 10 * 60 * 1000;

export interface Credentials {
  password: string;
  /** A 6-digit code from the app, or an unused recovery code. */
  code: string;
}

/**
 * Checks the password, then the code (a TOTP code or a recovery code, used up when right).
 * Throttled like sign-in codes. A wrong password is refused before the code is looked at,
 * so a recovery code is never spent on a failed attempt. Each outcome is audited as `action`.
 */
export async function checkCredentials(db: Database, userId: number, input: Credentials, action: string, ip: string | null, now = new Date()): Promise<Result<{ method: 'totp' | 'recovery-code' }>> {
  const user = await findUserById(db, userId);
  if (!user || user.status !== 'active') return refuse('unauthenticated', 'Your sign-in has expired. Sign in again.');
  const limited = await throttle(db, [mfaThrottleKey(user.id)], undefined, now);
  if (!limited.allowed) {
    await audit(db, { actorId: user.id, action, outcome: 'refused', targetType: 'user', targetId: user.id, ip, detail: { reason: 'throttled' } }, now);
    return rateLimited(limited.retryAfterSeconds);
  }
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    await audit(db, { actorId: user.id, action, outcome: 'failure', targetType: 'user', targetId: user.id, ip, detail: { reason: 'wrong-password' } }, now);
    return refuse('unauthenticated', 'Your password is not right.', 'password');
  }
  const compact = input.code.replace(/\s/g, '');
  const method = /^\d{6}$/.test(compact) ? 'totp' : 'recovery-code';
  const ok = method === 'totp' ? await verifyUserTotp(db, user.id, compact, now) : await useRecoveryCode(db, user.id, input.code, now);
  if (!ok) {
    await audit(db, { actorId: user.id, action, outcome: 'failure', targetType: 'user', targetId: user.id, ip, detail: { reason: 'wrong-code', method } }, now);
    return refuse('unauthenticated', 'That code is not right, or has been used already.', 'code');
  }
  await clearThrottle(db, mfaThrottleKey(user.id));
  return { ok: true, method };
}

/** Confirms it is the member, and marks this session re-authenticated. */
export async function reauthenticate(db: Database, userId: number, sessionId: string, input: Credentials, ip: string | null, now = new Date()): Promise<Result> {
  const checked = await checkCredentials(db, userId, input, 'reauthenticate', ip, now);
  if (!checked.ok) return checked;
  await write(db, (tx) => tx.update(sessions).set({ reauthenticatedAt: now }).where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId))));
  await audit(db, { actorId: userId, action: 'reauthenticate', outcome: 'success', targetType: 'user', targetId: userId, ip, detail: { method: checked.method } }, now);
  return { ok: true };
}

/** Whether this session confirmed it is the member within the last REAUTHENTICATION_WINDOW_MS. */
export function isRecentlyReauthenticated(session: Pick<Session, 'reauthenticatedAt'>, now = new Date()): boolean {
  const at = session.reauthenticatedAt?.getTime();
  return at !== undefined && now.getTime() - at >= 0 && now.getTime() - at < REAUTHENTICATION_WINDOW_MS;
}

/** What an action answers when the confirmation is missing or has run out. */
export const REAUTHENTICATION_NEEDED = refuse('unauthenticated', 'Confirm it is you first: enter your password and a code again.');
