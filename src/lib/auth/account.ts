/**
 * What a member does with their own account: name, password, recovery codes, sessions,
 * their data; and the two ways back in without a password (forgotten-password request,
 * reset link). Pages and actions stay thin and call these; tests call them directly.
 */
import { and, desc, eq, isNotNull, ne } from 'drizzle-orm';
import {
  auditLog,
  invitations,
  memberProfiles,
  organisations,
  passwordResets,
  sessions,
  totpCredentials,
  users,
} from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { enqueueMail } from '#lib/mail/outbox.ts';
import { rateLimited, refuse, type Result } from '#lib/result.ts';
import { audit, auditIn } from './audit.ts';
import { findOpenInvitation } from './invitations.ts';
import { completePasswordReset, createPasswordResetIn, findOpenReset, RESET_GONE_MESSAGE } from './password-resets.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { listPasskeys } from './passkeys.ts';
import { replaceRecoveryCodesIn, unusedRecoveryCodeCount, useRecoveryCode } from './recovery-codes.ts';
import { invalidateUserSessions } from './sessions.ts';
import { clearThrottle, mfaThrottleKey, throttle } from './throttle.ts';
import { hashToken } from './tokens.ts';
import { hasTotp, verifyUserTotp } from './totp.ts';
import { findUserByEmail, findUserById, normaliseEmail } from './users.ts';

export const DISPLAY_NAME_MIN = 2;
export const DISPLAY_NAME_MAX = 80;

// ---------------------------------------------------------------- profile

export async function changeDisplayName(db: Database, userId: number, displayName: string, ip: string | null = null, now = new Date()): Promise<void> {
  await write(db, async (tx) => {
    await tx.update(users).set({ displayName }).where(eq(users.id, userId));
    await auditIn(tx, { actorId: userId, action: 'profile-change', outcome: 'success', targetType: 'user', targetId: userId, ip, detail: { field: 'displayName' } }, now);
  });
}

export function organisationOf(db: Database, organisationId: number) {
  return db.select().from(organisations).where(eq(organisations.id, organisationId)).get();
}

// ---------------------------------------------------------------- password

export type ChangePasswordResult = Result<{ revokedSessions: number }>;

/**
 * Changes a signed-in member's password after checking the current one (throttled per
 * account, so a stolen session cannot guess it). The new hash and the revocation of every
 * other session commit together (docs/security.md: a password change ends the member's other sessions);
 * the session in use stays signed in.
 */
export async function changePassword(
  db: Database,
  userId: number,
  currentSessionId: string,
  input: { currentPassword: string; newPassword: string },
  ip: string | null = null,
  now = new Date(),
): Promise<ChangePasswordResult> {
  const limited = await throttle(db, [`password-change:account:${userId}`], undefined, now);
  if (!limited.allowed) {
    await audit(db, { actorId: userId, action: 'password-change', outcome: 'refused', ip, detail: { reason: 'throttled' } }, now);
    return rateLimited(limited.retryAfterSeconds);
  }
  const user = await findUserById(db, userId);
  if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await audit(db, { actorId: userId, action: 'password-change', outcome: 'failure', ip, detail: { reason: 'wrong-password' } }, now);
    return refuse('unauthenticated', 'Your current password is not right.', 'currentPassword');
  }
  const problem = passwordProblem(input.newPassword, { email: user.email, displayName: user.displayName });
  if (problem) return refuse('invalid', problem, 'newPassword');
  const passwordHash = await hashPassword(input.newPassword);
  const revokedSessions = await write(db, async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
    // What invalidateUserSessions(db, userId, currentSessionId) does, inside this write.
    const revoked = await tx.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, currentSessionId)));
    await auditIn(tx, { actorId: userId, action: 'password-change', outcome: 'success', targetType: 'user', targetId: userId, ip, detail: { otherSessionsRevoked: revoked.rowsAffected } }, now);
    await enqueueMail(tx, { kind: 'password-changed', userId, data: { how: 'changed' } }, now);
    return revoked.rowsAffected;
  });
  await clearThrottle(db, `password-change:account:${userId}`);
  return { ok: true, revokedSessions };
}

// ---------------------------------------------------------------- recovery codes

export type RegenerateResult = Result<{ recoveryCodes: string[] }>;

/** New recovery codes (the old ones stop working), confirmed with a current code from the app. */
export async function regenerateRecoveryCodesWithTotp(db: Database, userId: number, code: string, ip: string | null = null, now = new Date()): Promise<RegenerateResult> {
  const limited = await throttle(db, [mfaThrottleKey(userId)], undefined, now);
  if (!limited.allowed) {
    await audit(db, { actorId: userId, action: 'recovery-codes-regenerate', outcome: 'refused', ip, detail: { reason: 'throttled' } }, now);
    return rateLimited(limited.retryAfterSeconds);
  }
  if (!(await verifyUserTotp(db, userId, code.replace(/\s/g, ''), now))) {
    await audit(db, { actorId: userId, action: 'recovery-codes-regenerate', outcome: 'failure', ip, detail: { reason: 'wrong-code' } }, now);
    return refuse('unauthenticated', 'That code is not right, or has been used already. Wait for the next code and try again.', 'code');
  }
  const recoveryCodes = await write(db, async (tx) => {
    const codes = await replaceRecoveryCodesIn(tx, userId);
    await auditIn(tx, { actorId: userId, action: 'recovery-codes-regenerate', outcome: 'success', ip }, now);
    await enqueueMail(tx, { kind: 'recovery-codes-renewed', userId, data: {} }, now);
    return codes;
  });
  await clearThrottle(db, mfaThrottleKey(userId));
  return { ok: true, recoveryCodes };
}

// ---------------------------------------------------------------- sessions

/**
 * Ends one of the member's own sessions. The session must belong to them: anything else
 * (another member's session, an unknown id) is the same "not found", recorded as refused.
 * Session ids are half of a cookie token, so they are kept out of the audit log.
 */
export async function revokeOwnSession(db: Database, userId: number, sessionId: string, ip: string | null = null, now = new Date()): Promise<boolean> {
  return write(db, async (tx) => {
    const result = await tx.delete(sessions).where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
    const revoked = result.rowsAffected === 1;
    await auditIn(tx, { actorId: userId, action: 'session-revoke', outcome: revoked ? 'success' : 'refused', targetType: 'session', ip, detail: revoked ? undefined : { reason: 'not-own-session' } }, now);
    return revoked;
  });
}

/** A short, human name for a session's browser, e.g. "Firefox on Windows". */
export function describeUserAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown browser';
  const ua = userAgent;
  const browser = /Edg(e|A|iOS)?\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\/|FxiOS\//.test(ua)
        ? 'Firefox'
        : /Chrome\/|Chromium\/|CriOS\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : 'Unknown browser';
  const system = /Windows/.test(ua)
    ? 'Windows'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /Android/.test(ua)
        ? 'Android'
        : /CrOS/.test(ua)
          ? 'ChromeOS'
          : /Mac OS X|Macintosh/.test(ua)
            ? 'macOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null;
  return system ? `${browser} on ${system}` : browser;
}

// ---------------------------------------------------------------- export

/**
 * Everything the portal holds about a member, for UK GDPR access requests: account,
 * organisation, directory profile (with what it shows), security set-up (facts only,
 * passkeys by name and dates), sessions and the audit entries of their own actions.
 * Never a password hash, session id or secret, TOTP key, recovery code or passkey key.
 */
export async function exportMyData(db: Database, userId: number, currentSessionId: string | null = null, now = new Date()) {
  const user = await findUserById(db, userId);
  if (!user) throw new Error('No such member');
  const organisation = await db.select().from(organisations).where(eq(organisations.id, user.organisationId)).get();
  const totp = await db.select({ createdAt: totpCredentials.createdAt }).from(totpCredentials).where(eq(totpCredentials.userId, userId)).get();
  const ownSessions = await db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(sessions.createdAt).all();
  const invitation = await db
    .select({ createdAt: invitations.createdAt, usedAt: invitations.usedAt, invitedBy: users.displayName })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.email, user.email), isNotNull(invitations.usedAt)))
    .orderBy(desc(invitations.usedAt))
    .get();
  const entries = await db.select().from(auditLog).where(eq(auditLog.actorId, userId)).orderBy(auditLog.at).all();
  const profile = await db.select().from(memberProfiles).where(eq(memberProfiles.userId, userId)).get();
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  return {
    about: 'The data the National Modern Slavery Network portal holds about you. Times are UTC.',
    exportedAt: now.toISOString(),
    profile: {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      role: user.role,
      status: user.status,
      createdAt: iso(user.createdAt),
      lastSeenAt: iso(user.lastSeenAt),
    },
    organisation: organisation ? { name: organisation.name, type: organisation.type, region: organisation.region } : null,
    directoryProfile: profile
      ? {
          roleTitle: profile.roleTitle,
          areasOfPractice: profile.areas,
          askMeAbout: profile.askMeAbout,
          askMeAboutShown: profile.showAskMeAbout,
          workPhone: profile.workPhone,
          workPhoneShown: profile.showWorkPhone,
          workEmail: profile.workEmail,
          workEmailShown: profile.showWorkEmail,
          link: profile.link,
          updatedAt: iso(profile.updatedAt),
        }
      : null,
    invitation: invitation ? { invitedAt: iso(invitation.createdAt), acceptedAt: iso(invitation.usedAt), invitedBy: invitation.invitedBy ?? null } : null,
    security: {
      authenticatorAppEnrolled: Boolean(totp),
      authenticatorAppEnrolledAt: iso(totp?.createdAt),
      unusedRecoveryCodes: await unusedRecoveryCodeCount(db, userId),
      // Names and dates only: the public keys and credential ids are the device's, not facts about the member.
      passkeys: (await listPasskeys(db, userId)).map((p) => ({ name: p.name, addedAt: iso(p.createdAt), lastUsedAt: iso(p.lastUsedAt) })),
    },
    sessions: ownSessions.map((s) => ({
      signedInAt: iso(s.createdAt),
      lastActiveAt: iso(s.lastVerifiedAt),
      ip: s.ip,
      browser: s.userAgent,
      thisDevice: s.id === currentSessionId,
      securityCodeGiven: s.mfaVerified,
    })),
    auditLog: entries.map((e) => ({
      at: iso(e.at),
      action: e.action,
      outcome: e.outcome,
      targetType: e.targetType,
      targetId: e.targetId,
      ip: e.ip,
      detail: e.detail,
    })),
  };
}

// ---------------------------------------------------------------- links

export type LinkStatus = 'open' | 'gone' | 'unknown';

const TOKEN_SHAPE = /^[a-z2-7]{20,80}$/;

/** What the invitation page shows about an open invitation, or null when the link does not work. */
export async function invitationDetails(db: Database, token: string, now = new Date()) {
  const invitation = await findOpenInvitation(db, token, now);
  if (!invitation) return null;
  const organisation = await db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, invitation.organisationId)).get();
  return { email: invitation.email, role: invitation.role, organisation: organisation?.name ?? 'your organisation' };
}

/** Whether an invitation link works, has been used/revoked/expired (410) or never existed (404). */
export async function invitationLinkStatus(db: Database, token: string, now = new Date()): Promise<LinkStatus> {
  if (!TOKEN_SHAPE.test(token)) return 'unknown';
  const row = await db.select().from(invitations).where(eq(invitations.tokenHash, hashToken(token))).get();
  if (!row) return 'unknown';
  return row.usedAt || row.revokedAt || row.expiresAt.getTime() <= now.getTime() ? 'gone' : 'open';
}

/** The same for a password reset link. */
export async function resetLinkStatus(db: Database, token: string, now = new Date()): Promise<LinkStatus> {
  if (!TOKEN_SHAPE.test(token)) return 'unknown';
  const row = await db.select().from(passwordResets).where(eq(passwordResets.tokenHash, hashToken(token))).get();
  if (!row) return 'unknown';
  return row.usedAt || row.expiresAt.getTime() <= now.getTime() ? 'gone' : 'open';
}

// ---------------------------------------------------------------- forgotten password

/** Per visitor address: a visitor cannot fill the audit log or probe addresses quickly. */
export const RESET_REQUEST_LIMIT = { max: 5, windowMs: 15 * 60 * 1000 };
/** Per email address: nobody can fill a member's inbox with reset emails. */
export const RESET_EMAIL_LIMIT = { max: 3, windowMs: 60 * 60 * 1000 };

/**
 * "I have forgotten my password". An active member is emailed a reset link (it still
 * needs their second factor). The answer is the same whether or not the address is a
 * member's, and the same work is done either way: one throttle check on the address, one
 * transaction with the audit row (plus, for a member, the link and its email).
 */
export async function requestPasswordReset(db: Database, email: string, ip: string, now = new Date()): Promise<Result> {
  const limited = await throttle(db, [`password-reset-request:ip:${ip}`], RESET_REQUEST_LIMIT, now);
  if (!limited.allowed) return rateLimited(limited.retryAfterSeconds);
  const user = await findUserByEmail(db, email);
  // Keyed by a hash: a typed address that is not a member's is not kept, even for a day.
  const addressKey = hashToken(normaliseEmail(email)).toString('hex');
  const perAddress = await throttle(db, [`password-reset-email:${addressKey}`], RESET_EMAIL_LIMIT, now);
  const emailed = Boolean(user && user.status === 'active' && perAddress.allowed);
  await write(db, async (tx) => {
    // The typed address is not kept when it is not a member's: it is someone else's personal data.
    await auditIn(tx, { actorId: null, action: 'password-reset-request', outcome: 'success', targetType: 'user', targetId: user?.id, ip, detail: { matched: Boolean(user), emailed } }, now);
    if (emailed) await createPasswordResetIn(tx, user!.id, { actorId: null, requestedBy: 'member', ip, now, auditDetail: { via: 'forgotten-password' } });
  });
  return { ok: true };
}

// ---------------------------------------------------------------- reset link

export type ResetResult = Result<{ userId: number }>;

const resetGone = refuse('gone', RESET_GONE_MESSAGE);

/**
 * Sets a new password from an administrator's reset link. A reset never bypasses MFA: the
 * member's second factor (a code from their app, or an unused recovery code) is checked
 * and used up first, and only then is the token spent and the password changed. Every
 * session of the member ends. A member who never finished enrolling has no second factor
 * to give; they set a password here and must enrol at their next sign-in.
 */
export async function resetPasswordWithSecondFactor(
  db: Database,
  token: string,
  input: { password: string; code: string },
  ip: string,
  now = new Date(),
): Promise<ResetResult> {
  const reset = await findOpenReset(db, token, now);
  if (!reset) return resetGone;
  const { user } = reset;
  const problem = passwordProblem(input.password, { email: user.email, displayName: user.displayName });
  if (problem) return refuse('invalid', problem, 'password');

  const limited = await throttle(db, [mfaThrottleKey(user.id), `password-reset:ip:${ip}`], undefined, now);
  if (!limited.allowed) {
    await audit(db, { actorId: null, action: 'password-reset-complete', outcome: 'refused', targetType: 'user', targetId: user.id, ip, detail: { reason: 'throttled' } }, now);
    return rateLimited(limited.retryAfterSeconds);
  }
  if (await hasTotp(db, user.id)) {
    const compact = input.code.replace(/\s/g, '');
    const method = /^\d{6}$/.test(compact) ? 'totp' : 'recovery-code';
    const ok = method === 'totp' ? await verifyUserTotp(db, user.id, compact, now) : await useRecoveryCode(db, user.id, input.code, now);
    if (!ok) {
      await audit(db, { actorId: null, action: 'password-reset-complete', outcome: 'failure', targetType: 'user', targetId: user.id, ip, detail: { reason: 'wrong-code', method } }, now);
      return refuse('unauthenticated', 'That code is not right, or has been used already.', 'code');
    }
  }
  if (!(await completePasswordReset(db, token, input.password, ip, now))) return resetGone;
  const revoked = await invalidateUserSessions(db, user.id);
  await audit(db, { actorId: user.id, action: 'sessions-revoke-all', outcome: 'success', targetType: 'user', targetId: user.id, ip, detail: { reason: 'password-reset', sessions: revoked } }, now);
  await clearThrottle(db, mfaThrottleKey(user.id));
  return { ok: true, userId: user.id };
}

/** Whether the reset form must ask for a security code (the member has enrolled an app). */
export function resetNeedsCode(db: Database, userId: number): Promise<boolean> {
  return hasTotp(db, userId);
}
