/**
 * Members' own account flows against a real, migrated libSQL file: invitations,
 * TOTP enrolment, password change, password reset, recovery codes, sessions, export.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';

// The TOTP encryption key is read on first use; set it before any TOTP code runs.
process.env.TOTP_ENCRYPTION_KEY = randomBytes(32).toString('base64');

import { auditLog, invitations, mailOutbox, organisations, passwordResets, recoveryCodes, sessions, throttleEvents, totpCredentials, users } from '#db/schema.ts';
import { migrateDatabase, openDatabase, write, type Database } from '#lib/db.ts';
import {
  changeDisplayName,
  changePassword,
  exportMyData,
  invitationLinkStatus,
  regenerateRecoveryCodesWithTotp,
  requestPasswordReset,
  resetLinkStatus,
  resetPasswordWithSecondFactor,
  revokeOwnSession,
  describeUserAgent,
} from '#lib/auth/account.ts';
import { acceptInvitation, createInvitation, findOpenInvitation, INVITATION_TTL_MS } from '#lib/auth/invitations.ts';
import { completeTotpEnrolment, openPendingEnrolment, PENDING_ENROLMENT_TTL_MS, sealPendingEnrolment } from '#lib/auth/mfa-enrolment.ts';
import { createPasswordReset, RESET_TTL_MS } from '#lib/auth/password-resets.ts';
import { hashPassword, verifyPassword } from '#lib/auth/passwords.ts';
import { regenerateRecoveryCodes, unusedRecoveryCodeCount, useRecoveryCode } from '#lib/auth/recovery-codes.ts';
import { createSession, listUserSessions, validateSessionToken } from '#lib/auth/sessions.ts';
import { currentStep, hasTotp, newTotpKey, saveTotpKey, totpCode, verifyUserTotp } from '#lib/auth/totp.ts';

const PASSWORD = 'granite lantern orchard 42';
const NEW_PASSWORD = 'meadow copper violin tide';

let dir: string;
let db: Database;
let organisationId: number;
let counter = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nmsn-accounts-'));
  db = await openDatabase({ DATABASE_URL: `file:${join(dir, 'portal.db')}` });
  await migrateDatabase(db);
  const [org] = await write(db, (tx) => tx.insert(organisations).values({ name: 'Accounts test force', type: 'police-force', region: 'national' }).returning());
  organisationId = org!.id;
});

afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const uniqueEmail = () => `person-${++counter}-${Date.now()}@accounts.test`;

/** A member made through an invitation, as in the portal. */
async function invitedMember() {
  const email = uniqueEmail();
  const { token } = await createInvitation(db, null, { email, role: 'member', organisationId });
  const accepted = await acceptInvitation(db, token, { displayName: 'Invited Person', password: PASSWORD });
  if (!accepted.ok) throw new Error(accepted.reason);
  return { userId: accepted.userId, email };
}

/** A member with an authenticator app enrolled, and the key to make its codes. */
async function enrolledMember() {
  const member = await invitedMember();
  const key = newTotpKey();
  await saveTotpKey(db, member.userId, key, 0);
  return { ...member, key };
}

const passwordHashOf = async (userId: number) => (await db.select().from(users).where(eq(users.id, userId)).get())!.passwordHash;
const auditActions = async (userId: number) =>
  (await db.select().from(auditLog).where(eq(auditLog.actorId, userId)).all()).map((e) => `${e.action}:${e.outcome}`);

describe('invitations', () => {
  it('work exactly once', async () => {
    const email = uniqueEmail();
    const { token } = await createInvitation(db, null, { email, role: 'member', organisationId });
    expect(await invitationLinkStatus(db, token)).toBe('open');
    const first = await acceptInvitation(db, token, { displayName: 'First', password: PASSWORD });
    expect(first.ok).toBe(true);
    const second = await acceptInvitation(db, token, { displayName: 'Second', password: PASSWORD });
    expect(second).toMatchObject({ ok: false, reason: 'gone' });
    expect(await findOpenInvitation(db, token)).toBeNull();
    expect(await invitationLinkStatus(db, token)).toBe('gone');
    const created = await db.select().from(users).where(eq(users.email, email)).all();
    expect(created.map((u) => u.displayName)).toEqual(['First']);
  });

  it('expire after seven days and then change nothing', async () => {
    const email = uniqueEmail();
    const issued = new Date('2026-01-01T09:00:00Z');
    const { token } = await createInvitation(db, null, { email, role: 'member', organisationId }, null, issued);
    const justBefore = new Date(issued.getTime() + INVITATION_TTL_MS - 1000);
    const justAfter = new Date(issued.getTime() + INVITATION_TTL_MS + 1000);
    expect(await findOpenInvitation(db, token, justBefore)).not.toBeNull();
    expect(await findOpenInvitation(db, token, justAfter)).toBeNull();
    expect(await invitationLinkStatus(db, token, justAfter)).toBe('gone');
    expect(await acceptInvitation(db, token, { displayName: 'Late', password: PASSWORD }, null, justAfter)).toMatchObject({ ok: false, reason: 'gone' });
    expect(await db.select().from(users).where(eq(users.email, email)).get()).toBeUndefined();
  });

  it('refuse an address that already has an account, leaving the invitation unused', async () => {
    const { email } = await invitedMember();
    const { token, invitationId } = await createInvitation(db, null, { email, role: 'editor', organisationId });
    expect(await acceptInvitation(db, token, { displayName: 'Again', password: PASSWORD })).toMatchObject({ ok: false, reason: 'taken' });
    const invitation = await db.select().from(invitations).where(eq(invitations.id, invitationId)).get();
    expect(invitation!.usedAt).toBeNull();
    expect((await db.select().from(users).where(eq(users.email, email)).all()).length).toBe(1);
  });

  it('are unknown (404), not gone, when the token never existed', async () => {
    expect(await invitationLinkStatus(db, 'a'.repeat(52))).toBe('unknown');
    expect(await invitationLinkStatus(db, '../../etc/passwd')).toBe('unknown');
  });
});

describe('TOTP enrolment', () => {
  it('keeps the pending key sealed, bound to the member, the session and 30 minutes', async () => {
    const key = newTotpKey();
    const now = new Date();
    const sealed = sealPendingEnrolment(7, 'session-a', key, now);
    expect(sealed).not.toContain(Buffer.from(key).toString('base64'));
    expect(openPendingEnrolment(sealed, 7, 'session-a', now)).toEqual(key);
    expect(openPendingEnrolment(sealed, 8, 'session-a', now)).toBeNull();
    expect(openPendingEnrolment(sealed, 7, 'session-b', now)).toBeNull();
    expect(openPendingEnrolment(sealed, 7, 'session-a', new Date(now.getTime() + PENDING_ENROLMENT_TTL_MS + 1))).toBeNull();
    const tampered = (sealed[20] === 'A' ? 'B' : 'A');
    expect(openPendingEnrolment(sealed.slice(0, 20) + tampered + sealed.slice(21), 7, 'session-a', now)).toBeNull();
    expect(openPendingEnrolment('not a blob', 7, 'session-a', now)).toBeNull();
    expect(openPendingEnrolment(undefined, 7, 'session-a', now)).toBeNull();
  });

  it('stores the key with the matched step, verifies the session, and the same code is refused afterwards', async () => {
    const { userId } = await invitedMember();
    const { session } = await createSession(db, userId);
    const key = newTotpKey();
    const now = new Date();
    expect(await completeTotpEnrolment(db, userId, session.id, key, '000000', null, now)).toMatchObject({ ok: false });
    expect(await hasTotp(db, userId)).toBe(false);

    const code = totpCode(key, currentStep(now));
    const result = await completeTotpEnrolment(db, userId, session.id, key, code, null, now);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.recoveryCodes).toHaveLength(10);
    expect(await unusedRecoveryCodeCount(db, userId)).toBe(10);
    // Only hashes are kept: no plain code appears in the table.
    const stored = await db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, userId)).all();
    for (const row of stored) expect(result.recoveryCodes.map((c) => Buffer.from(c))).not.toContainEqual(row.codeHash);
    // The password-only session is replaced by a fully signed-in one with a new token (ASVS 7.2.4).
    expect(await db.select().from(sessions).where(eq(sessions.id, session.id)).get()).toBeUndefined();
    const renewed = await validateSessionToken(db, result.token);
    expect(renewed.session?.mfaVerified).toBe(true);
    expect(renewed.session?.createdAt).toEqual(session.createdAt);
    expect(await auditActions(userId)).toContain('mfa-enrol:success');

    // The enrolment code was used up: replaying it at sign-in fails.
    expect(await verifyUserTotp(db, userId, code, now)).toBe(false);
  });

  it('never replaces a key that is already enrolled', async () => {
    const { userId, key } = await enrolledMember();
    const { session } = await createSession(db, userId);
    const attacker = newTotpKey();
    const now = new Date();
    const result = await completeTotpEnrolment(db, userId, session.id, attacker, totpCode(attacker, currentStep(now)), null, now);
    expect(result).toMatchObject({ ok: false, reason: 'conflict' });
    expect((await db.select().from(sessions).where(eq(sessions.id, session.id)).get())!.mfaVerified).toBe(false);
    expect(await verifyUserTotp(db, userId, totpCode(key, currentStep(now)), now)).toBe(true);
  });
});

describe('second factors', () => {
  it('refuse a TOTP code the second time (replay)', async () => {
    const { userId, key } = await enrolledMember();
    const now = new Date();
    const code = totpCode(key, currentStep(now));
    expect(await verifyUserTotp(db, userId, code, now)).toBe(true);
    expect(await verifyUserTotp(db, userId, code, now)).toBe(false);
    // An earlier step's code is refused too once a later one was used.
    expect(await verifyUserTotp(db, userId, totpCode(key, currentStep(now) - 1), now)).toBe(false);
  });

  it('accept each recovery code once', async () => {
    const { userId } = await enrolledMember();
    const codes = await regenerateRecoveryCodes(db, userId);
    expect(await useRecoveryCode(db, userId, codes[0]!)).toBe(true);
    expect(await useRecoveryCode(db, userId, codes[0]!)).toBe(false);
    expect(await useRecoveryCode(db, userId, ` ${codes[1]!.toUpperCase().replace('-', ' ')} `)).toBe(true);
    expect(await unusedRecoveryCodeCount(db, userId)).toBe(8);
  });

  it('make new recovery codes only with a right, unused TOTP code, and the old ones stop working', async () => {
    const { userId, key } = await enrolledMember();
    const old = await regenerateRecoveryCodes(db, userId);
    const now = new Date();
    expect(await regenerateRecoveryCodesWithTotp(db, userId, '123456', null, now)).toMatchObject({ ok: false, reason: 'unauthenticated', field: 'code' });
    const code = totpCode(key, currentStep(now));
    const result = await regenerateRecoveryCodesWithTotp(db, userId, code, null, now);
    expect(result.ok).toBe(true);
    expect(await regenerateRecoveryCodesWithTotp(db, userId, code, null, now)).toMatchObject({ ok: false, reason: 'unauthenticated', field: 'code' });
    expect(await useRecoveryCode(db, userId, old[0]!)).toBe(false);
    if (result.ok) expect(await useRecoveryCode(db, userId, result.recoveryCodes[0]!)).toBe(true);
    expect(await auditActions(userId)).toEqual(expect.arrayContaining(['recovery-codes-regenerate:failure', 'recovery-codes-regenerate:success']));
  });
});

describe('password change', () => {
  it('needs the current password and revokes every other session, keeping the current one', async () => {
    const { userId } = await invitedMember();
    const current = await createSession(db, userId, { mfaVerified: true });
    const other1 = await createSession(db, userId, { mfaVerified: true });
    const other2 = await createSession(db, userId);
    const before = await passwordHashOf(userId);

    expect(await changePassword(db, userId, current.session.id, { currentPassword: 'wrong password here', newPassword: NEW_PASSWORD })).toMatchObject({
      ok: false,
      reason: 'unauthenticated',
      field: 'currentPassword',
    });
    expect(await passwordHashOf(userId)).toBe(before);
    expect((await listUserSessions(db, userId)).length).toBe(3);

    const weak = await changePassword(db, userId, current.session.id, { currentPassword: PASSWORD, newPassword: 'password1234' });
    expect(weak).toMatchObject({ ok: false, reason: 'invalid', field: 'newPassword' });
    expect(await passwordHashOf(userId)).toBe(before);

    const done = await changePassword(db, userId, current.session.id, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(done).toEqual({ ok: true, revokedSessions: 2 });
    expect((await listUserSessions(db, userId)).map((s) => s.id)).toEqual([current.session.id]);
    expect((await validateSessionToken(db, current.token)).session).not.toBeNull();
    expect((await validateSessionToken(db, other1.token)).session).toBeNull();
    expect((await validateSessionToken(db, other2.token)).session).toBeNull();
    expect(await verifyPassword(await passwordHashOf(userId), NEW_PASSWORD)).toBe(true);
    expect(await auditActions(userId)).toEqual(expect.arrayContaining(['password-change:failure', 'password-change:success']));
  });

  it('refuses a new password containing the email address', async () => {
    const email = `lighthouse-${++counter}@accounts.test`;
    const { token } = await createInvitation(db, null, { email, role: 'member', organisationId });
    const accepted = await acceptInvitation(db, token, { displayName: 'Keeper', password: PASSWORD });
    if (!accepted.ok) throw new Error('not accepted');
    const { session } = await createSession(db, accepted.userId);
    expect(await changePassword(db, accepted.userId, session.id, { currentPassword: PASSWORD, newPassword: `my ${email.split('@')[0]} secret` })).toMatchObject({
      ok: false,
      reason: 'invalid',
      field: 'newPassword',
    });
  });
});

describe('display name', () => {
  it('changes and is audited', async () => {
    const { userId } = await invitedMember();
    await changeDisplayName(db, userId, 'Renamed Person');
    expect((await db.select().from(users).where(eq(users.id, userId)).get())!.displayName).toBe('Renamed Person');
    expect(await auditActions(userId)).toContain('profile-change:success');
  });
});

describe('sessions', () => {
  it('a member revokes their own session, but not another member’s (refused and audited)', async () => {
    const alice = await invitedMember();
    const bob = await invitedMember();
    const aliceOther = await createSession(db, alice.userId);
    const bobs = await createSession(db, bob.userId);
    expect(await revokeOwnSession(db, alice.userId, bobs.session.id)).toBe(false);
    expect((await validateSessionToken(db, bobs.token)).session).not.toBeNull();
    expect(await revokeOwnSession(db, alice.userId, aliceOther.session.id)).toBe(true);
    expect((await validateSessionToken(db, aliceOther.token)).session).toBeNull();
    const entries = await db.select().from(auditLog).where(and(eq(auditLog.actorId, alice.userId), eq(auditLog.action, 'session-revoke'))).all();
    expect(entries.map((e) => e.outcome).sort()).toEqual(['refused', 'success']);
    // Session ids are half of a cookie token: never in the audit log.
    expect(JSON.stringify(entries)).not.toContain(bobs.session.id);
  });

  it('names browsers in words', () => {
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe('Firefox on Windows');
    expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 Safari/537.36')).toBe('Chrome on Linux');
    expect(describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1')).toBe('Safari on iOS');
    expect(describeUserAgent(null)).toBe('Unknown browser');
  });
});

describe('forgotten password request', () => {
  it('answers the same for known and unknown addresses, emails a member a link, records the match, and is throttled per address', async () => {
    const { email, userId } = await invitedMember();
    const ip = `192.0.2.${++counter % 250}`;
    const known = await requestPasswordReset(db, email.toUpperCase(), ip);
    const unknown = await requestPasswordReset(db, 'nobody-here@accounts.test', ip);
    expect(known).toEqual({ ok: true });
    expect(unknown).toEqual(known);
    const rows = await db.select().from(auditLog).where(and(eq(auditLog.action, 'password-reset-request'), eq(auditLog.ip, ip))).all();
    expect(rows.map((r) => [r.targetId, r.detail])).toEqual([
      [String(userId), { matched: true, emailed: true }],
      [null, { matched: false, emailed: false }],
    ]);
    expect(JSON.stringify(rows)).not.toContain('nobody-here');
    const queued = await db.select().from(mailOutbox).where(and(eq(mailOutbox.userId, userId), eq(mailOutbox.kind, 'password-reset'))).all();
    expect(queued).toHaveLength(1);
    expect(queued[0]!.payload).toMatchObject({ requestedBy: 'member' });
    const throttleKeys = await db.select({ key: throttleEvents.key }).from(throttleEvents).all();
    expect(JSON.stringify(throttleKeys)).not.toContain('nobody-here');
    let last = unknown as Awaited<ReturnType<typeof requestPasswordReset>>;
    for (let i = 0; i < 5; i++) last = await requestPasswordReset(db, 'nobody-here@accounts.test', ip);
    expect(last).toMatchObject({ ok: false, reason: 'rate-limited' });
  });
});

describe('password reset link', () => {
  it('needs the right second factor before anything changes, then works once and ends every session', async () => {
    const { userId, key } = await enrolledMember();
    const s1 = await createSession(db, userId, { mfaVerified: true });
    const before = await passwordHashOf(userId);
    const { token } = await createPasswordReset(db, userId, { actorId: null, requestedBy: 'administrator' });
    const ip = '198.51.100.7';

    // A wrong code, no code, a recovery code that is not theirs: nothing changes.
    expect(await resetPasswordWithSecondFactor(db, token, { password: NEW_PASSWORD, code: '000000' }, ip)).toMatchObject({ ok: false, reason: 'unauthenticated', field: 'code' });
    expect(await resetPasswordWithSecondFactor(db, token, { password: NEW_PASSWORD, code: '' }, ip)).toMatchObject({ ok: false, reason: 'unauthenticated', field: 'code' });
    const someoneElse = await enrolledMember();
    const othersCodes = await regenerateRecoveryCodes(db, someoneElse.userId);
    expect(await resetPasswordWithSecondFactor(db, token, { password: NEW_PASSWORD, code: othersCodes[0]! }, ip)).toMatchObject({ ok: false, reason: 'unauthenticated', field: 'code' });
    expect(await resetPasswordWithSecondFactor(db, token, { password: 'password1234', code: totpCode(key, currentStep()) }, ip)).toMatchObject({
      ok: false,
      reason: 'invalid',
      field: 'password',
    });
    expect(await passwordHashOf(userId)).toBe(before);
    expect(await resetLinkStatus(db, token)).toBe('open');
    expect((await validateSessionToken(db, s1.token)).session).not.toBeNull();

    const ok = await resetPasswordWithSecondFactor(db, token, { password: NEW_PASSWORD, code: totpCode(key, currentStep()) }, ip);
    expect(ok).toEqual({ ok: true, userId });
    expect(await verifyPassword(await passwordHashOf(userId), NEW_PASSWORD)).toBe(true);
    expect((await validateSessionToken(db, s1.token)).session).toBeNull();
    expect(await resetLinkStatus(db, token)).toBe('gone');

    // Single use: the same link again, even with a good factor, is gone.
    const codes = await regenerateRecoveryCodes(db, userId);
    expect(await resetPasswordWithSecondFactor(db, token, { password: 'another fine passphrase', code: codes[0]! }, ip)).toMatchObject({ ok: false, reason: 'gone' });
    expect(await verifyPassword(await passwordHashOf(userId), NEW_PASSWORD)).toBe(true);
    expect(await unusedRecoveryCodeCount(db, userId)).toBe(10);
  });

  it('accepts a recovery code as the second factor, once', async () => {
    const { userId } = await enrolledMember();
    const codes = await regenerateRecoveryCodes(db, userId);
    const first = await createPasswordReset(db, userId, { actorId: null, requestedBy: 'administrator' });
    expect(await resetPasswordWithSecondFactor(db, first.token, { password: NEW_PASSWORD, code: codes[3]! }, '198.51.100.8')).toEqual({ ok: true, userId });
    const second = await createPasswordReset(db, userId, { actorId: null, requestedBy: 'administrator' });
    expect(await resetPasswordWithSecondFactor(db, second.token, { password: PASSWORD, code: codes[3]! }, '198.51.100.8')).toMatchObject({ ok: false, reason: 'unauthenticated', field: 'code' });
  });

  it('expires after an hour', async () => {
    const { userId } = await enrolledMember();
    const issued = new Date(Date.now() - RESET_TTL_MS - 1000);
    const { token } = await createPasswordReset(db, userId, { actorId: null, requestedBy: 'administrator', now: issued });
    expect(await resetLinkStatus(db, token)).toBe('gone');
    expect(await resetPasswordWithSecondFactor(db, token, { password: NEW_PASSWORD, code: '123456' }, '198.51.100.9')).toMatchObject({ ok: false, reason: 'gone' });
    const rows = await db.select().from(passwordResets).where(eq(passwordResets.userId, userId)).all();
    expect(rows[0]!.usedAt).toBeNull();
  });
});

describe('data export', () => {
  it('holds the member’s profile, organisation, sessions and own audit entries, and no secret', async () => {
    const { userId, email } = await invitedMember();
    const key = newTotpKey();
    const { session: halfSigned } = await createSession(db, userId, { ip: '203.0.113.5', userAgent: 'Mozilla/5.0 Firefox/128.0' });
    const result = await completeTotpEnrolment(db, userId, halfSigned.id, key, totpCode(key, currentStep()));
    if (!result.ok) throw new Error('enrolment failed');
    const { token } = result;
    const { session } = await validateSessionToken(db, token);
    if (!session) throw new Error('the renewed session does not validate');
    await changeDisplayName(db, userId, 'Exported Person');
    const stranger = await invitedMember();

    const data = await exportMyData(db, userId, session.id);
    expect(data.profile).toMatchObject({ id: userId, email, displayName: 'Exported Person', role: 'member' });
    expect(data.organisation).toMatchObject({ name: 'Accounts test force' });
    expect(data.security).toMatchObject({ authenticatorAppEnrolled: true, unusedRecoveryCodes: 10 });
    expect(data.sessions).toEqual([expect.objectContaining({ ip: '203.0.113.5', thisDevice: true })]);
    expect(data.auditLog.map((e) => e.action)).toEqual(expect.arrayContaining(['invitation-accept', 'mfa-enrol', 'profile-change']));
    expect(data.auditLog.every((e) => e)).toBe(true);

    const text = JSON.stringify(data);
    const user = (await db.select().from(users).where(eq(users.id, userId)).get())!;
    const sessionRow = (await db.select().from(sessions).where(eq(sessions.id, session.id)).get())!;
    const credential = (await db.select().from(totpCredentials).where(eq(totpCredentials.userId, userId)).get())!;
    const codeRows = await db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, userId)).all();
    for (const secret of [
      user.passwordHash,
      session.id,
      token,
      token.split('.')[1]!,
      sessionRow.secretHash.toString('hex'),
      sessionRow.secretHash.toString('base64'),
      credential.keySealed.toString('base64'),
      Buffer.from(key).toString('base64'),
      ...result.recoveryCodes,
      ...codeRows.map((r) => r.codeHash.toString('base64')),
      stranger.email,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/passwordHash|secretHash|keySealed|codeHash|argon2/i);
  });
});

it('hashes are argon2id (sanity check for the fixture helpers)', async () => {
  expect(await hashPassword('x'.repeat(12))).toMatch(/^\$argon2id\$/);
});
