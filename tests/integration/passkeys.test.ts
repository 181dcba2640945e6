/**
 * Passkeys against a real libSQL file, with real signed WebAuthn answers made in the test
 * (tests/webauthn-authenticator.ts: node:crypto keys, CBOR, signatures): adding one,
 * signing in with one alone, and every answer the verifier must refuse (another origin,
 * another rp id, a challenge never issued, used, expired or another browser's, a
 * counter that does not go up, no user verification, a forged signature), each changing
 * nothing. Then removal, throttling, suspension, erasure, the administrator's reset and
 * the data export.
 */
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';

process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');

import { auditLog, mailOutbox, passkeys, sessions, users, webauthnChallenges, type User } from '#db/schema.ts';
import { write } from '#lib/db.ts';
import { resetSecondFactor } from '#lib/admin/members.ts';
import { exportMyData } from '#lib/auth/account.ts';
import { eraseMember } from '#lib/auth/erasure.ts';
import {
  addPasskey,
  CHALLENGE_TTL_MS,
  listPasskeys,
  PASSKEYS_PER_MEMBER_MAX,
  registrationOptions,
  removePasskey,
  signInOptions,
  signInWithPasskey,
  type Member,
} from '#lib/auth/passkeys.ts';
import { purgeExpired } from '#lib/auth/retention.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { checkSecondFactor } from '#lib/auth/sign-in.ts';
import { currentStep, newTotpKey, saveTotpKey, totpCode } from '#lib/auth/totp.ts';
import { relyingPartyOf, verifyAssertion } from '#lib/auth/webauthn.ts';
import { FLAGS, TestAuthenticator } from '#tests/webauthn-authenticator.ts';
import { createTestUser, freshDatabase, type TestDatabase } from './helpers.ts';

const rp = relyingPartyOf('http://localhost:4321');
const IP = '192.0.2.40';
let t: TestDatabase;
let passwordHash: string;
let admin: User;

beforeAll(async () => {
  t = await freshDatabase();
  const created = await createTestUser(t.db, { role: 'admin' });
  admin = created.user;
  passwordHash = admin.passwordHash;
});
afterAll(() => t.cleanup());

let addressCount = 0;
/** A client address of each test's own, so throttles do not cross tests. */
const freshIp = () => `198.51.100.${++addressCount}`;

/** A member with an app, signed in, who confirmed it is them in this session just now. */
async function confirmedMember(): Promise<Member & { user: User; key: Uint8Array }> {
  const { user } = await createTestUser(t.db, { passwordHash });
  const key = newTotpKey();
  await saveTotpKey(t.db, user.id, key, 0);
  const { session } = await createSession(t.db, user.id, { mfaVerified: true });
  const now = new Date();
  await write(t.db, (tx) => tx.update(sessions).set({ reauthenticatedAt: now }).where(eq(sessions.id, session.id)));
  return { user, key, session: { ...session, reauthenticatedAt: now } };
}

/** A member with one passkey added through the real flow. */
async function memberWithPasskey(algorithm: 'ES256' | 'RS256' = 'ES256', startCounter = 1) {
  const member = await confirmedMember();
  const device = new TestAuthenticator(algorithm, rp, startCounter);
  const options = await registrationOptions(t.db, member, rp);
  if (!options.ok) throw new Error(options.message);
  const added = await addPasskey(t.db, member, { name: 'Work laptop', ...device.register(options.options.challenge) }, rp, IP);
  if (!added.ok) throw new Error(added.message);
  return { ...member, device, passkeyId: added.passkey.id };
}

/** A sign-in challenge, as /login/passkey-options.json hands it out, with the attempt cookie's value. */
async function signInChallenge(ip = freshIp()) {
  const result = await signInOptions(t.db, ip, rp);
  if (!result.ok) throw new Error(result.message);
  return { attempt: result.attempt, challenge: result.options.challenge, ip };
}

const handle = (userId: number) => new TextEncoder().encode(String(userId));
const passkeyRow = (id: number) => t.db.select().from(passkeys).where(eq(passkeys.id, id)).get();
const auditsOf = (actorId: number, action: string) => t.db.select().from(auditLog).where(and(eq(auditLog.actorId, actorId), eq(auditLog.action, action))).all();
const reasons = (rows: { outcome: string; detail: unknown }[]) => rows.map((r) => `${r.outcome}:${(r.detail as { reason?: string } | null)?.reason ?? ''}`);

describe('adding a passkey', () => {
  it('keeps the public key under the member’s name for it, audits it and emails the member', async () => {
    const { user, passkeyId, device } = await memberWithPasskey();
    const row = (await passkeyRow(passkeyId))!;
    expect(row).toMatchObject({ userId: user.id, name: 'Work laptop', algorithm: -7, signCount: 1, lastUsedAt: null });
    expect(Buffer.compare(row.credentialId, device.credentialId)).toBe(0);
    expect(row.publicKey.length).toBe(65); // SEC1 uncompressed P-256 point
    expect(await listPasskeys(t.db, user.id)).toEqual([{ id: passkeyId, name: 'Work laptop', createdAt: expect.any(Date), lastUsedAt: null }]);
    expect(reasons(await auditsOf(user.id, 'passkey-add'))).toEqual(['success:']);
    const mail = await t.db.select({ kind: mailOutbox.kind, payload: mailOutbox.payload }).from(mailOutbox).where(eq(mailOutbox.userId, user.id)).all();
    expect(mail).toEqual([{ kind: 'passkeys-changed', payload: { how: 'added', name: 'Work laptop' } }]);
  });

  it('keeps keys whose coordinates start with a zero byte, and they sign in (1 key in 128)', async () => {
    for (const coordinate of ['x', 'y'] as const) {
      let device: TestAuthenticator;
      do device = new TestAuthenticator('ES256', rp);
      while (Buffer.from(device.publicKey.export({ format: 'jwk' })[coordinate]!, 'base64url')[0] !== 0);
      const member = await confirmedMember();
      const options = await registrationOptions(t.db, member, rp);
      if (!options.ok) throw new Error();
      expect(await addPasskey(t.db, member, { name: 'Phone', ...device.register(options.options.challenge) }, rp, IP)).toMatchObject({ ok: true });
      const { attempt, challenge, ip } = await signInChallenge();
      expect(await signInWithPasskey(t.db, device.assert(challenge, null), attempt, rp, ip), coordinate).toMatchObject({ ok: true });
    }
  });

  it('accepts RS256 keys as well', async () => {
    const { passkeyId } = await memberWithPasskey('RS256');
    expect((await passkeyRow(passkeyId))!.algorithm).toBe(-257);
  });

  it('needs the member to have confirmed it is them in the last 10 minutes', async () => {
    const member = await confirmedMember();
    const stale = { ...member, session: { ...member.session, reauthenticatedAt: new Date(Date.now() - 11 * 60 * 1000) } };
    expect(await registrationOptions(t.db, stale, rp)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    const options = await registrationOptions(t.db, member, rp);
    if (!options.ok) throw new Error();
    const answer = new TestAuthenticator('ES256', rp).register(options.options.challenge);
    expect(await addPasskey(t.db, stale, { name: 'Phone', ...answer }, rp, IP)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    expect(await listPasskeys(t.db, member.user.id)).toEqual([]);
  });

  it('refuses answers that fail a check, and each changes nothing', async () => {
    const member = await confirmedMember();
    const cases: [string, (challenge: string, device: TestAuthenticator) => ReturnType<TestAuthenticator['register']>, string][] = [
      ['another origin', (c, d) => d.register(c, { origin: 'https://portal.example.evil' }), 'origin'],
      ['inside another site’s frame', (c, d) => d.register(c, { crossOrigin: true }), 'origin'],
      ['another rp id', (c, d) => d.register(c, { rpId: 'example.evil' }), 'rp-id'],
      ['a sign-in answer', (c, d) => d.register(c, { type: 'webauthn.get' }), 'type'],
      ['a challenge never issued', (_c, d) => d.register(Buffer.from(randomBytes(32)).toString('base64url')), 'challenge'],
      ['no user verification', (c, d) => d.register(c, { flags: FLAGS.UP }), 'user-verification'],
      ['no user presence', (c, d) => d.register(c, { flags: FLAGS.UV }), 'user-presence'],
    ];
    for (const [label, answer, reason] of cases) {
      const options = await registrationOptions(t.db, member, rp);
      if (!options.ok) throw new Error();
      const result = await addPasskey(t.db, member, { name: 'Phone', ...answer(options.options.challenge, new TestAuthenticator('ES256', rp)) }, rp, IP);
      expect(result, label).toMatchObject({ ok: false });
      const [last] = (await auditsOf(member.user.id, 'passkey-add')).slice(-1);
      expect((last!.detail as { reason: string }).reason, label).toBe(reason);
    }
    expect(await listPasskeys(t.db, member.user.id)).toEqual([]);
  });

  it('binds the challenge to the session that asked, and lets it work once', async () => {
    const member = await confirmedMember();
    const { session: other } = await createSession(t.db, member.user.id, { mfaVerified: true });
    const inOther = { ...member, session: { ...other, reauthenticatedAt: new Date() } };
    const options = await registrationOptions(t.db, member, rp);
    if (!options.ok) throw new Error();
    const device = new TestAuthenticator('ES256', rp);
    // Sent from another session of the same member: refused, and the challenge is spent.
    expect(await addPasskey(t.db, inOther, { name: 'Phone', ...device.register(options.options.challenge) }, rp, IP)).toMatchObject({ ok: false });
    expect(await addPasskey(t.db, member, { name: 'Phone', ...device.register(options.options.challenge) }, rp, IP)).toMatchObject({ ok: false });
    expect(await listPasskeys(t.db, member.user.id)).toEqual([]);
    // A newer challenge replaces the older one of the same session.
    const first = await registrationOptions(t.db, member, rp);
    const second = await registrationOptions(t.db, member, rp);
    if (!first.ok || !second.ok) throw new Error();
    expect(await addPasskey(t.db, member, { name: 'Phone', ...device.register(first.options.challenge) }, rp, IP)).toMatchObject({ ok: false });
    expect(await addPasskey(t.db, member, { name: 'Phone', ...device.register(second.options.challenge) }, rp, IP)).toMatchObject({ ok: true });
  });

  it('refuses a passkey already added, a key of another kind, and more than the limit', async () => {
    const { user, session, device } = await memberWithPasskey();
    const member = { user, session };
    const again = await registrationOptions(t.db, member, rp);
    if (!again.ok) throw new Error();
    expect(again.options.excludeCredentials).toEqual([{ type: 'public-key', id: device.credentialId.toString('base64url') }]);
    expect(await addPasskey(t.db, member, { name: 'Twice', ...device.register(again.options.challenge) }, rp, IP)).toMatchObject({ ok: false, reason: 'taken' });

    // A P-384 key is not one the portal accepts.
    const p384 = new TestAuthenticator('ES256', rp);
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    Object.assign(p384, { coseKey: () => Buffer.concat([Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x38, 0x21, 0x20, 0x02, 0x21, 0x58, 0x30]), Buffer.from(jwk.x!, 'base64url'), Buffer.from([0x22, 0x58, 0x30]), Buffer.from(jwk.y!, 'base64url')]) });
    const options = await registrationOptions(t.db, member, rp);
    if (!options.ok) throw new Error();
    expect(await addPasskey(t.db, member, { name: 'Odd key', ...p384.register(options.options.challenge) }, rp, IP)).toMatchObject({ ok: false, reason: 'invalid' });

    // The member holds the most passkeys an account may have (added straight in the database:
    // adding ten in a row through the form would meet the throttle first).
    const last = await registrationOptions(t.db, member, rp);
    if (!last.ok) throw new Error();
    for (let i = (await listPasskeys(t.db, user.id)).length; i < PASSKEYS_PER_MEMBER_MAX; i++) {
      await write(t.db, (tx) => tx.insert(passkeys).values({ userId: user.id, credentialId: randomBytes(16), algorithm: -7, publicKey: Buffer.alloc(65), name: `Key ${i}` }));
    }
    expect(await addPasskey(t.db, member, { name: 'One more', ...new TestAuthenticator('ES256', rp).register(last.options.challenge) }, rp, IP)).toMatchObject({ ok: false, reason: 'conflict' });
    expect(await registrationOptions(t.db, member, rp)).toMatchObject({ ok: false, reason: 'conflict' });
  });
});

describe('signing in with a passkey', () => {
  it('needs nothing else, stores the counter and the last use, and audits it', async () => {
    const { user, device, passkeyId } = await memberWithPasskey();
    const { attempt, challenge, ip } = await signInChallenge();
    const result = await signInWithPasskey(t.db, device.assert(challenge, handle(user.id)), attempt, rp, ip);
    expect(result).toMatchObject({ ok: true, user: { id: user.id } });
    expect(await passkeyRow(passkeyId)).toMatchObject({ signCount: 2, lastUsedAt: expect.any(Date) });
    const [audit] = await auditsOf(user.id, 'sign-in');
    expect(audit).toMatchObject({ outcome: 'success', ip, detail: { method: 'passkey', passkeyId } });
  });

  it('works with RS256, and with a device that keeps no counter', async () => {
    const rsa = await memberWithPasskey('RS256');
    let c = await signInChallenge();
    expect(await signInWithPasskey(t.db, rsa.device.assert(c.challenge, null), c.attempt, rp, c.ip)).toMatchObject({ ok: true });
    const uncounted = await memberWithPasskey('ES256', 0);
    for (let i = 0; i < 2; i++) {
      c = await signInChallenge();
      expect(await signInWithPasskey(t.db, uncounted.device.assert(c.challenge, null, { counter: 0 }), c.attempt, rp, c.ip)).toMatchObject({ ok: true });
    }
  });

  it('refuses every answer that fails a check, and each changes nothing but the throttle count', async () => {
    const { user, device, passkeyId } = await memberWithPasskey();
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const cases: [string, (challenge: string) => ReturnType<TestAuthenticator['assert']>, string][] = [
      ['from another origin (a phishing site)', (c) => device.assert(c, null, { origin: 'https://login.example.evil' }), 'origin'],
      ['for another rp id', (c) => device.assert(c, null, { rpId: 'example.evil' }), 'rp-id'],
      ['a registration answer', (c) => device.assert(c, null, { type: 'webauthn.create' }), 'type'],
      ['a challenge never issued', () => device.assert(Buffer.from(randomBytes(32)).toString('base64url'), null), 'challenge'],
      ['without user verification', (c) => device.assert(c, null, { flags: FLAGS.UP }), 'user-verification'],
      ['signed with another key', (c) => device.assert(c, null, { signWith: stranger }), 'signature'],
      ['a counter that did not go up (a cloned device)', (c) => device.assert(c, null, { counter: 1 }), 'counter'],
      ['another member’s user handle', (c) => device.assert(c, handle(admin.id)), 'unknown-credential'],
    ];
    for (const [label, answer, reason] of cases) {
      const { attempt, challenge, ip } = await signInChallenge();
      expect(await signInWithPasskey(t.db, answer(challenge), attempt, rp, ip), label).toMatchObject({ ok: false, reason: 'unauthenticated' });
      const [last] = (await auditsOf(user.id, 'sign-in')).slice(-1);
      expect(last, label).toMatchObject({ outcome: 'failure', detail: { method: 'passkey', reason } });
    }
    expect(await passkeyRow(passkeyId)).toMatchObject({ signCount: 1, lastUsedAt: null });
    expect(await auditsOf(user.id, 'sign-in').then((rows) => rows.filter((r) => r.outcome === 'success'))).toEqual([]);
  });

  it('lets a challenge work once, for the browser that asked, for 5 minutes', async () => {
    const { user, device } = await memberWithPasskey();
    // Replayed: the same answer, sent again.
    const first = await signInChallenge();
    const answer = device.assert(first.challenge, null);
    expect(await signInWithPasskey(t.db, answer, first.attempt, rp, first.ip)).toMatchObject({ ok: true });
    expect(await signInWithPasskey(t.db, answer, first.attempt, rp, first.ip)).toMatchObject({ ok: false });
    // Another browser's challenge (its attempt cookie is not ours), or none at all.
    const theirs = await signInChallenge();
    const ours = await signInChallenge();
    expect(await signInWithPasskey(t.db, device.assert(theirs.challenge, null), ours.attempt, rp, ours.ip)).toMatchObject({ ok: false });
    const unbound = await signInChallenge();
    expect(await signInWithPasskey(t.db, device.assert(unbound.challenge, null), undefined, rp, unbound.ip)).toMatchObject({ ok: false });
    // Too late.
    const old = await signInChallenge();
    const later = new Date(Date.now() + CHALLENGE_TTL_MS + 1000);
    expect(await signInWithPasskey(t.db, device.assert(old.challenge, null), old.attempt, rp, old.ip, later)).toMatchObject({ ok: false });
    expect(reasons((await auditsOf(user.id, 'sign-in')).filter((r) => r.outcome === 'failure'))).toEqual(['failure:challenge', 'failure:challenge', 'failure:challenge', 'failure:challenge']);
    // Every one of those challenges is gone.
    for (const c of [first, theirs, unbound, old]) {
      const left = await t.db.select().from(webauthnChallenges).where(eq(webauthnChallenges.challengeHash, Buffer.from(await crypto.subtle.digest('SHA-256', Buffer.from(c.challenge, 'base64url'))))).all();
      expect(left).toEqual([]);
    }
  });

  it('refuses a suspended member, with the same answer', async () => {
    const { user, device } = await memberWithPasskey();
    await write(t.db, (tx) => tx.update(users).set({ status: 'suspended' }).where(eq(users.id, user.id)));
    const { attempt, challenge, ip } = await signInChallenge();
    expect(await signInWithPasskey(t.db, device.assert(challenge, null), attempt, rp, ip)).toMatchObject({
      ok: false,
      message: 'That passkey could not be used to sign in. Try again, or sign in with your email address, password and a code.',
    });
    expect((await auditsOf(user.id, 'sign-in')).slice(-1)[0]).toMatchObject({ outcome: 'failure', detail: { reason: 'suspended' } });
  });

  it('is throttled with the sign-in codes: failures count against the same limit', async () => {
    const { user, device, key } = await memberWithPasskey();
    for (let i = 0; i < 10; i++) {
      const { attempt, challenge } = await signInChallenge();
      await signInWithPasskey(t.db, device.assert(challenge, null, { origin: 'https://login.example.evil' }), attempt, rp, freshIp());
    }
    // The right code is refused now: ten passkey guesses used the account's tries.
    expect(await checkSecondFactor(t.db, user, totpCode(key, currentStep()), freshIp())).toMatchObject({ ok: false, reason: 'rate-limited' });
    const { attempt, challenge, ip } = await signInChallenge();
    expect(await signInWithPasskey(t.db, device.assert(challenge, null), attempt, rp, ip)).toMatchObject({ ok: false, reason: 'rate-limited', retryAfterSeconds: expect.any(Number) });
  });

  it('hands out challenges to one address at a limited rate', async () => {
    const ip = freshIp();
    for (let i = 0; i < 30; i++) expect(await signInOptions(t.db, ip, rp)).toMatchObject({ ok: true });
    expect(await signInOptions(t.db, ip, rp)).toMatchObject({ ok: false, reason: 'rate-limited' });
  });
});

describe('the verifier on its own', () => {
  it('wants a higher counter when the device keeps one, and accepts 0 from one that keeps none', () => {
    const device = new TestAuthenticator('ES256', rp);
    const jwk = device.publicKey.export({ format: 'jwk' });
    const publicKey = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    const check = (stored: number, sent: number) => verifyAssertion(device.assert('AAAA', null, { counter: sent }), { algorithm: -7, publicKey, signCount: stored }, rp);
    expect(check(5, 6)).toEqual({ ok: true, signCount: 6 });
    expect(check(0, 3)).toEqual({ ok: true, signCount: 3 });
    expect(check(0, 0)).toEqual({ ok: true, signCount: 0 });
    expect(check(5, 5)).toEqual({ ok: false, problem: 'counter' });
    expect(check(5, 4)).toEqual({ ok: false, problem: 'counter' });
    expect(check(5, 0)).toEqual({ ok: false, problem: 'counter' });
    // A signature made for other bytes: the authenticator data changed after signing.
    const answer = device.assert('AAAA', null, { counter: 9 });
    answer.authenticatorData[36] = 10;
    expect(verifyAssertion(answer, { algorithm: -7, publicKey, signCount: 0 }, rp)).toEqual({ ok: false, problem: 'signature' });
  });
});

describe('removing a passkey, and what else removes them', () => {
  it('needs the confirmation, only removes the member’s own, and the passkey no longer signs in', async () => {
    const { user, session, device, passkeyId } = await memberWithPasskey();
    const other = await memberWithPasskey();
    const stale = { user, session: { ...session, reauthenticatedAt: null } };
    expect(await removePasskey(t.db, stale, passkeyId, IP)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    expect(await removePasskey(t.db, { user, session }, other.passkeyId, IP)).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await passkeyRow(other.passkeyId)).toBeTruthy();
    expect(await removePasskey(t.db, { user, session }, passkeyId, IP)).toEqual({ ok: true });
    expect(await passkeyRow(passkeyId)).toBeUndefined();
    expect(reasons(await auditsOf(user.id, 'passkey-remove'))).toEqual(['refused:not-found', 'success:']);
    const { attempt, challenge, ip } = await signInChallenge();
    expect(await signInWithPasskey(t.db, device.assert(challenge, null), attempt, rp, ip)).toMatchObject({ ok: false });
    const [unknown] = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'sign-in'), eq(auditLog.ip, ip))).all();
    expect(unknown).toMatchObject({ actorId: null, outcome: 'failure', detail: { method: 'passkey', reason: 'unknown-credential' } });
  });

  it('an administrator’s reset of the second factor removes them', async () => {
    const { user, passkeyId } = await memberWithPasskey();
    const result = await resetSecondFactor(t.db, { userId: admin.id, ip: IP, via: 'web' }, { userId: user.id });
    expect(result).toMatchObject({ ok: true });
    expect(await passkeyRow(passkeyId)).toBeUndefined();
    const [audit] = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'member-mfa-reset'), eq(auditLog.targetId, String(user.id)))).all();
    expect(audit!.detail).toMatchObject({ passkeysRemoved: 1 });
  });

  it('erasure removes them and their open challenges', async () => {
    const { user, session, passkeyId } = await memberWithPasskey();
    await registrationOptions(t.db, { user, session }, rp);
    expect(await eraseMember(t.db, { userId: admin.id, ip: IP, by: 'administrator' }, { userId: user.id, confirmation: 'DELETE' })).toMatchObject({ ok: true });
    expect(await passkeyRow(passkeyId)).toBeUndefined();
    expect(await t.db.select().from(webauthnChallenges).where(eq(webauthnChallenges.userId, user.id)).all()).toEqual([]);
  });

  it('the data export lists names and dates, never keys or credential ids', async () => {
    const { user, device } = await memberWithPasskey();
    const data = await exportMyData(t.db, user.id);
    expect(data.security.passkeys).toEqual([{ name: 'Work laptop', addedAt: expect.any(String), lastUsedAt: null }]);
    const text = JSON.stringify(data);
    expect(text).not.toContain(device.credentialId.toString('base64url'));
    expect(text).not.toContain(device.credentialId.toString('base64'));
  });

  it('the retention job removes challenges never answered', async () => {
    await signInChallenge();
    const later = new Date(Date.now() + CHALLENGE_TTL_MS + 1000);
    const purged = await purgeExpired(t.db, later);
    expect(purged.webauthnChallenges).toBeGreaterThan(0);
    expect(await t.db.select().from(webauthnChallenges).where(eq(webauthnChallenges.purpose, 'sign-in')).all()).toEqual([]);
  });
});
