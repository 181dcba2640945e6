import type { User } from '#db/schema.ts';
import type { Database } from '#lib/db.ts';
import { rateLimited, refuse, type Result } from '#lib/result.ts';
import { audit } from './audit.ts';
import { burnPasswordCheck, verifyPassword } from './passwords.ts';
import { clearThrottle, mfaThrottleKey, throttle } from './throttle.ts';
import { findUserByEmail, normaliseEmail } from './users.ts';
import { useRecoveryCode } from './recovery-codes.ts';
import { verifyUserTotp } from './totp.ts';

export type PasswordStepResult = Result<{ user: User }>;

/** The one answer for an unknown email, a wrong password and a suspended account alike. */
export const WRONG_PASSWORD = refuse('unauthenticated', 'The email address or password is not right.');
/** The one answer for a wrong, used or old code. */
export const WRONG_CODE = refuse('unauthenticated', 'That code is not right, or has been used already.');

export const signInAccountKey = (email: string) => `sign-in:account:${normaliseEmail(email)}`;
export const signInIpKey = (ip: string) => `sign-in:ip:${ip}`;

/**
 * First step of signing in. Wrong email, wrong password and suspended account all give
 * the same answer after the same work (an argon2 check), so the response does not tell
 * whether an email is registered.
 */
export async function checkPassword(db: Database, email: string, password: string, ip: string): Promise<PasswordStepResult> {
  const limited = await throttle(db, [signInAccountKey(email), signInIpKey(ip)]);
  if (!limited.allowed) {
    await audit(db, { actorId: null, action: 'sign-in', outcome: 'refused', ip, detail: { reason: 'throttled' } });
    return rateLimited(limited.retryAfterSeconds);
  }
  const user = await findUserByEmail(db, email);
  const valid = user ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
  if (!user || !valid || user.status !== 'active') {
    await audit(db, {
      actorId: user?.id ?? null,
      action: 'sign-in',
      outcome: 'failure',
      ip,
      detail: { reason: !user ? 'unknown-email' : !valid ? 'wrong-password' : 'suspended' },
    });
    return WRONG_PASSWORD;
  }
  return { ok: true, user };
}

export type SecondFactorResult = Result;

/** Second step: a TOTP code, or one of the member's recovery codes. Throttled like the first. */
export async function checkSecondFactor(db: Database, user: Pick<User, 'id' | 'email'>, code: string, ip: string): Promise<SecondFactorResult> {
  const limited = await throttle(db, [mfaThrottleKey(user.id), signInIpKey(ip)]);
  if (!limited.allowed) {
    await audit(db, { actorId: user.id, action: 'sign-in-mfa', outcome: 'refused', ip, detail: { reason: 'throttled' } });
    return rateLimited(limited.retryAfterSeconds);
  }
  const compact = code.replace(/\s/g, '');
  const ok = /^\d{6}$/.test(compact) ? await verifyUserTotp(db, user.id, compact) : await useRecoveryCode(db, user.id, code);
  await audit(db, {
    actorId: user.id,
    action: 'sign-in-mfa',
    outcome: ok ? 'success' : 'failure',
    ip,
    detail: { method: /^\d{6}$/.test(compact) ? 'totp' : 'recovery-code' },
  });
  if (ok) {
    await clearThrottle(db, signInAccountKey(user.email));
    await clearThrottle(db, mfaThrottleKey(user.id));
  }
  return ok ? { ok: true } : WRONG_CODE;
}
