/**
 * Lost phone, new phone, against a real libSQL file: confirming it is the member
 * (password and code again), moving the authenticator app to a new phone (the old key
 * stops at once), and an administrator's reset of a member's second factor.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';

process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');

import { auditLog, mailOutbox, recoveryCodes, sessions, totpCredentials, type User } from '#db/schema.ts';
import type { Actor } from '#lib/admin/common.ts';
import { resetSecondFactor } from '#lib/admin/members.ts';
import { moveAuthenticator, openPendingEnrolment, sealPendingEnrolment } from '#lib/auth/mfa-enrolment.ts';
import { isRecentlyReauthenticated, reauthenticate, REAUTHENTICATION_WINDOW_MS } from '#lib/auth/reauthentication.ts';
import { regenerateRecoveryCodes, unusedRecoveryCodeCount } from '#lib/auth/recovery-codes.ts';
import { createSession, validateSessionToken } from '#lib/auth/sessions.ts';
import { calendarFeedOf, createCalendarFeed, memberForCalendarToken } from '#lib/events/feeds.ts';
import { currentStep, hasTotp, newTotpKey, saveTotpKey, totpCode, verifyUserTotp } from '#lib/auth/totp.ts';
import { createTestUser, freshDatabase, type TestDatabase } from './helpers.ts';

let t: TestDatabase;
let admin: User;
const PASSWORD = 'granite lantern orchard 42';
let passwordHash: string;

beforeAll(async () => {
  t = await freshDatabase();
  const created = await createTestUser(t.db, { role: 'admin', password: PASSWORD });
  admin = created.user;
  passwordHash = admin.passwordHash;
});
afterAll(() => t.cleanup());

/** A member with an app, recovery codes, and a signed-in session (with its token). */
async function enrolledMember() {
  const { user } = await createTestUser(t.db, { passwordHash });
  const key = newTotpKey();
  await saveTotpKey(t.db, user.id, key, 0);
  const codes = await regenerateRecoveryCodes(t.db, user.id);
  const signedIn = await createSession(t.db, user.id, { mfaVerified: true });
  return { user, key, codes, ...signedIn };
}

const sessionRow = (id: string) => t.db.select().from(sessions).where(eq(sessions.id, id)).get().then((s) => s!);
const audits = (userId: number, action: string) =>
  t.db.select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.targetId, String(userId)))).all();
/** The email queued for the member, as the outbox holds it. */
const mailTo = (userId: number) => t.db.select({ kind: mailOutbox.kind, payload: mailOutbox.payload, status: mailOutbox.status }).from(mailOutbox).where(eq(mailOutbox.userId, userId)).all();
const webActor = (user: User): Actor => ({ userId: user.id, ip: '192.0.2.1', via: 'web' });

describe('confirming it is the member', () => {
  it('needs the password and a right code; a wrong password never spends a recovery code', async () => {
    const { user, key, codes, session } = await enrolledMember();
    expect(await reauthenticate(t.db, user.id, session.id, { password: 'wrong password here', code: codes[0]! }, null)).toMatchObject({ ok: false, field: 'password' });
    expect(await unusedRecoveryCodeCount(t.db, user.id)).toBe(10);
    expect(await reauthenticate(t.db, user.id, session.id, { password: PASSWORD, code: '000000' }, null)).toMatchObject({ ok: false, field: 'code' });
    expect((await sessionRow(session.id)).reauthenticatedAt).toBeNull();

    const now = new Date();
    expect(await reauthenticate(t.db, user.id, session.id, { password: PASSWORD, code: totpCode(key, currentStep(now)) }, '192.0.2.9', now)).toEqual({ ok: true });
    const confirmed = await sessionRow(session.id);
    expect(isRecentlyReauthenticated(confirmed, now)).toBe(true);
    expect(isRecentlyReauthenticated(confirmed, new Date(now.getTime() + REAUTHENTICATION_WINDOW_MS + 1))).toBe(false);
    expect((await audits(user.id, 'reauthenticate')).map((a) => `${a.outcome}:${(a.detail as { reason?: string }).reason ?? ''}`)).toEqual(['failure:wrong-password', 'failure:wrong-code', 'success:']);
  });

  it('accepts a recovery code, and uses it up', async () => {
    const { user, codes, session } = await enrolledMember();
    expect(await reauthenticate(t.db, user.id, session.id, { password: PASSWORD, code: codes[3]! }, null)).toEqual({ ok: true });
    expect(await unusedRecoveryCodeCount(t.db, user.id)).toBe(9);
  });

  it('is throttled like sign-in codes: 10 tries in 5 minutes', async () => {
    const { user, session } = await enrolledMember();
    for (let i = 0; i < 10; i++) await reauthenticate(t.db, user.id, session.id, { password: PASSWORD, code: '000000' }, null);
    const limited = await reauthenticate(t.db, user.id, session.id, { password: PASSWORD, code: '000000' }, null);
    expect(limited).toMatchObject({ ok: false, reason: 'rate-limited' });
  });
});

describe('moving the authenticator app to a new phone', () => {
  it('keeps a move’s key and a first enrolment’s key apart', () => {
    const key = newTotpKey();
    const now = new Date();
    const forMove = sealPendingEnrolment(5, 'session', key, now, 'move');
    expect(openPendingEnrolment(forMove, 5, 'session', now, 'move')).toEqual(key);
    expect(openPendingEnrolment(forMove, 5, 'session', now)).toBeNull();
    expect(openPendingEnrolment(sealPendingEnrolment(5, 'session', key, now), 5, 'session', now, 'move')).toBeNull();
  });

  it('is refused without a recent confirmation, or with a wrong code from the new app, and changes nothing', async () => {
    const { user, key, session } = await enrolledMember();
    const fresh = newTotpKey();
    const now = new Date();
    expect(await moveAuthenticator(t.db, user.id, session, fresh, totpCode(fresh, currentStep(now)), null, now)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    const stale = { id: session.id, reauthenticatedAt: new Date(now.getTime() - REAUTHENTICATION_WINDOW_MS - 1000) };
    expect(await moveAuthenticator(t.db, user.id, stale, fresh, totpCode(fresh, currentStep(now)), null, now)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    const confirmed = { id: session.id, reauthenticatedAt: now };
    expect(await moveAuthenticator(t.db, user.id, confirmed, fresh, totpCode(key, currentStep(now)), null, now)).toMatchObject({ ok: false, field: 'code' });
    expect(await mailTo(user.id)).toEqual([]);
    expect(await verifyUserTotp(t.db, user.id, totpCode(key, currentStep(now)), now)).toBe(true);
  });

  it('replaces the key: the old phone’s codes stop at once, the new one works, other sessions end, the member is told', async () => {
    const { user, key, session, token } = await enrolledMember();
    const elsewhere = await createSession(t.db, user.id, { mfaVerified: true });
    const now = new Date();
    await reauthenticate(t.db, user.id, session.id, { password: PASSWORD, code: totpCode(key, currentStep(now) - 1) }, null, now);
    const fresh = newTotpKey();
    const result = await moveAuthenticator(t.db, user.id, await sessionRow(session.id), fresh, totpCode(fresh, currentStep(now)), '192.0.2.7', now);
    expect(result).toEqual({ ok: true, otherSessionsEnded: 1 });

    const later = new Date(now.getTime() + 30_000);
    expect(await verifyUserTotp(t.db, user.id, totpCode(key, currentStep(later)), later)).toBe(false);
    expect(await verifyUserTotp(t.db, user.id, totpCode(fresh, currentStep(later)), later)).toBe(true);
    // The code used to prove the new app cannot be replayed.
    expect(await verifyUserTotp(t.db, user.id, totpCode(fresh, currentStep(now)), now)).toBe(false);
    expect((await validateSessionToken(t.db, token)).session).not.toBeNull();
    expect((await validateSessionToken(t.db, elsewhere.token)).session).toBeNull();
    expect(await audits(user.id, 'mfa-move')).toEqual([expect.objectContaining({ outcome: 'success', actorId: user.id, ip: '192.0.2.7' })]);
    expect(await mailTo(user.id)).toEqual([{ kind: 'authenticator-changed', payload: { how: 'replaced' }, status: 'queued' }]);
  });
});

describe('an administrator resets a member’s second factor', () => {
  it('removes the app and recovery codes, stops the calendar feed, ends every session, audits it and tells the member', async () => {
    const { user, token } = await enrolledMember();
    const other = await createSession(t.db, user.id, { mfaVerified: false });
    const feed = await createCalendarFeed(t.db, user.id, null);
    const result = await resetSecondFactor(t.db, webActor(admin), { userId: user.id });
    expect(result).toMatchObject({ ok: true, sessionsEnded: 2 });
    expect(await hasTotp(t.db, user.id)).toBe(false);
    expect(await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id)).all()).toEqual([]);
    expect((await validateSessionToken(t.db, token)).session).toBeNull();
    expect((await validateSessionToken(t.db, other.token)).session).toBeNull();
    expect(await audits(user.id, 'member-mfa-reset')).toEqual([
      expect.objectContaining({ actorId: admin.id, outcome: 'success', detail: { hadApp: true, recoveryCodesRemoved: 10, passkeysRemoved: 0, sessionsEnded: 2 } }),
    ]);
    // The private calendar feed's address may be on the lost phone too: it stops working.
    expect(await memberForCalendarToken(t.db, feed)).toBeNull();
    expect(await calendarFeedOf(t.db, user.id)).toBeNull();
    expect(await mailTo(user.id)).toEqual([{ kind: 'authenticator-changed', payload: { how: 'reset-by-administrator' }, status: 'queued' }]);
  });

  it('is refused for the administrator’s own account and for an unknown member, audited, and changes nothing', async () => {
    const own = await createSession(t.db, admin.id, { mfaVerified: true });
    await saveTotpKey(t.db, admin.id, newTotpKey(), 0);
    expect(await resetSecondFactor(t.db, { ...webActor(admin), sessionId: own.session.id }, { userId: admin.id })).toMatchObject({ ok: false, reason: 'self' });
    expect(await hasTotp(t.db, admin.id)).toBe(true);
    expect((await validateSessionToken(t.db, own.token)).session).not.toBeNull();
    expect(await resetSecondFactor(t.db, webActor(admin), { userId: 987_654 })).toMatchObject({ ok: false, reason: 'not-found' });
    expect((await audits(admin.id, 'member-mfa-reset')).map((a) => a.outcome)).toEqual(['refused']);
    expect((await audits(987_654, 'member-mfa-reset')).map((a) => a.outcome)).toEqual(['refused']);
    expect(await mailTo(admin.id)).toEqual([]);
  });

  it('works from the command line too, recorded as such', async () => {
    const { user } = await enrolledMember();
    expect(await resetSecondFactor(t.db, { userId: null, ip: null, via: 'cli' }, { userId: user.id })).toMatchObject({ ok: true });
    expect((await audits(user.id, 'member-mfa-reset'))[0]!.detail).toMatchObject({ via: 'cli' });
    expect(await t.db.select().from(totpCredentials).where(eq(totpCredentials.userId, user.id)).get()).toBeUndefined();
  });
});
