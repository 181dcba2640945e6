import { randomBytes } from 'node:crypto';
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, throttleEvents, totpCredentials, type User } from '#db/schema.ts';
import { checkPassword, checkSecondFactor, WRONG_CODE, WRONG_PASSWORD } from '#lib/auth/sign-in.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { SIGN_IN_LIMIT } from '#lib/auth/throttle.ts';
import { currentStep, newTotpKey, saveTotpKey, totpCode, verifyUserTotp } from '#lib/auth/totp.ts';
import { regenerateRecoveryCodes } from '#lib/auth/recovery-codes.ts';
import { createTestUser, freshDatabase, type TestDatabase } from './helpers.ts';

// keys.ts reads this on first use; without it a key file would be written into data/.
process.env.TOTP_ENCRYPTION_KEY = randomBytes(32).toString('base64');

let t: TestDatabase;
let sharedHash: string;
const PASSWORD = 'marble kettle orchard lantern';
beforeAll(async () => {
  t = await freshDatabase();
  sharedHash = (await createTestUser(t.db, { password: PASSWORD })).user.passwordHash;
});
afterAll(() => t.cleanup());

/** Every attempt from its own address unless a test says otherwise, so only the key under test fills up. */
let addresses = 0;
const freshIp = () => `10.0.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;

/** A member with a known password (one argon2 hash shared by all, to keep the suite quick). */
async function member(overrides: Parameters<typeof createTestUser>[1] = {}): Promise<User> {
  return (await createTestUser(t.db, { passwordHash: sharedHash, ...overrides })).user;
}

/** Every password, token and code the tests typed or received: none may reach the audit log. */
const secretsSeen = new Set<string>([PASSWORD]);
function typed<T extends string>(secret: T): T {
  secretsSeen.add(secret);
  return secret;
}

async function accountCount(email: string) {
  return (await t.db.select().from(throttleEvents).where(eq(throttleEvents.key, `sign-in:account:${email}`)).all()).length;
}

describe('signing in with a password', () => {
  it('gives the same answer for an unknown email, a wrong password and a suspended account', async () => {
    const active = await member();
    const suspended = await member({ status: 'suspended' });
    const unknown = await checkPassword(t.db, 'nobody@example.org', typed('wrong password one'), freshIp());
    const wrong = await checkPassword(t.db, active.email, typed('wrong password two'), freshIp());
    const blocked = await checkPassword(t.db, suspended.email, PASSWORD, freshIp());
    expect(unknown).toEqual(WRONG_PASSWORD);
    expect(wrong).toEqual(unknown);
    expect(blocked).toEqual(unknown);
  });

  it('lets the member in with the right password, whatever the case of the email', async () => {
    const user = await member();
    const result = await checkPassword(t.db, user.email.toUpperCase(), PASSWORD, freshIp());
    expect(result.ok && result.user.id).toBe(user.id);
  });

  it(`refuses the ${SIGN_IN_LIMIT.max + 1}th try in 5 minutes on one account, from any address`, async () => {
    const user = await member();
    for (let i = 1; i <= SIGN_IN_LIMIT.max; i++) {
      expect(await checkPassword(t.db, user.email, typed(`wrong password ${i}`), freshIp()), `try ${i}`).toEqual(WRONG_PASSWORD);
    }
    const refused = await checkPassword(t.db, user.email, PASSWORD, freshIp());
    expect(refused).toMatchObject({ ok: false, reason: 'rate-limited' });
    const retryAfter = (refused as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(SIGN_IN_LIMIT.windowMs / 1000);
    // Another member from another address is not held up.
    expect((await checkPassword(t.db, (await member()).email, PASSWORD, freshIp())).ok).toBe(true);
  });

  it(`refuses the ${SIGN_IN_LIMIT.max + 1}th try in 5 minutes from one address, whatever the emails`, async () => {
    const ip = freshIp();
    for (let i = 1; i <= SIGN_IN_LIMIT.max; i++) {
      expect(await checkPassword(t.db, `guess-${i}@example.org`, typed(`guess ${i}`), ip), `try ${i}`).toEqual(WRONG_PASSWORD);
    }
    const user = await member();
    const refused = await checkPassword(t.db, user.email, PASSWORD, ip);
    expect(refused).toMatchObject({ ok: false, reason: 'rate-limited' });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    // The same member from another address gets in: it was the address that was throttled.
    expect((await checkPassword(t.db, user.email, PASSWORD, freshIp())).ok).toBe(true);
  });

  it('starts the account’s count afresh once the member has signed in (password and second factor)', async () => {
    const user = await member();
    const key = newTotpKey();
    await saveTotpKey(t.db, user.id, key, 0);
    for (let i = 1; i < SIGN_IN_LIMIT.max; i++) await checkPassword(t.db, user.email, typed(`wrong password ${i}`), freshIp());
    const passed = await checkPassword(t.db, user.email, PASSWORD, freshIp());
    expect(passed.ok).toBe(true);
    expect(await accountCount(user.email)).toBe(SIGN_IN_LIMIT.max);
    expect(await checkSecondFactor(t.db, user, typed(totpCode(key, currentStep())), freshIp())).toEqual({ ok: true });
    expect(await accountCount(user.email)).toBe(0);

    // A full allowance again: 10 more tries before the 11th is refused.
    for (let i = 1; i <= SIGN_IN_LIMIT.max; i++) {
      expect(await checkPassword(t.db, user.email, typed(`wrong again ${i}`), freshIp()), `try ${i}`).toEqual(WRONG_PASSWORD);
    }
    expect(await checkPassword(t.db, user.email, PASSWORD, freshIp())).toMatchObject({ ok: false, reason: 'rate-limited' });
  });
});

describe('the second factor', () => {
  it('accepts a TOTP code once: the same code is refused the second time, and so is an older one', async () => {
    const user = await member();
    const key = newTotpKey();
    const now = new Date('2026-11-29T09:00:10Z');
    const step = currentStep(now);
    await saveTotpKey(t.db, user.id, key, step - 10);

    expect(await verifyUserTotp(t.db, user.id, typed(totpCode(key, step)), now)).toBe(true);
    expect(await verifyUserTotp(t.db, user.id, totpCode(key, step), now)).toBe(false);
    expect(await verifyUserTotp(t.db, user.id, typed(totpCode(key, step - 1)), now)).toBe(false);
    const stored = await t.db.select().from(totpCredentials).where(eq(totpCredentials.userId, user.id)).get();
    expect(stored!.lastUsedStep).toBe(step);
    // The next step's code still works.
    expect(await verifyUserTotp(t.db, user.id, typed(totpCode(key, step + 1)), now)).toBe(true);
  });

  it('keeps the TOTP key sealed in the database, not in the clear', async () => {
    const user = await member();
    const key = newTotpKey();
    await saveTotpKey(t.db, user.id, key, 0);
    const stored = await t.db.select().from(totpCredentials).where(eq(totpCredentials.userId, user.id)).get();
    expect(stored!.keySealed.includes(Buffer.from(key))).toBe(false);
    expect(stored!.keySealed).toHaveLength(12 + key.length + 16);
  });

  it('refuses a wrong code of the right length, and a member without TOTP', async () => {
    const user = await member();
    const key = newTotpKey();
    await saveTotpKey(t.db, user.id, key, 0);
    const right = totpCode(key, currentStep());
    const wrong = typed(right.slice(0, 5) + String((Number(right[5]) + 5) % 10));
    if ([-1, 0, 1].some((d) => totpCode(key, currentStep() + d) === wrong)) return; // vanishingly unlikely
    expect(await checkSecondFactor(t.db, user, wrong, freshIp())).toEqual(WRONG_CODE);
    expect(await verifyUserTotp(t.db, (await member()).id, right)).toBe(false);
  });

  it('accepts a recovery code once', async () => {
    const user = await member();
    const [code] = (await regenerateRecoveryCodes(t.db, user.id)).map(typed);
    expect(await checkSecondFactor(t.db, user, code!, freshIp())).toEqual({ ok: true });
    expect(await checkSecondFactor(t.db, user, code!, freshIp())).toEqual(WRONG_CODE);
  });
});

describe('the audit log of signing in', () => {
  it('records failures, refusals and successes with who and from where', async () => {
    const user = await member();
    const key = newTotpKey();
    await saveTotpKey(t.db, user.id, key, 0);
    const ip = freshIp();
    await checkPassword(t.db, 'stranger@example.org', typed('stranger password'), ip);
    for (let i = 1; i <= SIGN_IN_LIMIT.max; i++) await checkPassword(t.db, user.email, typed(`audited wrong ${i}`), freshIp());
    await checkPassword(t.db, user.email, PASSWORD, ip); // the 11th on this account: refused
    await checkSecondFactor(t.db, user, typed(totpCode(key, currentStep())), ip);
    // The session the sign-in action would create: its token must not be logged either.
    typed((await createSession(t.db, user.id, { ip })).token);

    const rows = await t.db.select().from(auditLog).where(like(auditLog.action, 'sign-in%')).all();
    const mine = rows.filter((r) => r.ip === ip);
    expect(mine).toContainEqual(
      expect.objectContaining({ action: 'sign-in', outcome: 'failure', actorId: null, detail: { reason: 'unknown-email' } }),
    );
    expect(mine).toContainEqual(
      expect.objectContaining({ action: 'sign-in', outcome: 'refused', detail: { reason: 'throttled' } }),
    );
    expect(mine).toContainEqual(
      expect.objectContaining({ action: 'sign-in-mfa', outcome: 'success', actorId: user.id, detail: { method: 'totp' } }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({ action: 'sign-in', outcome: 'failure', actorId: user.id, detail: { reason: 'wrong-password' } }),
    );
    for (const row of rows) expect(row.at).toBeInstanceOf(Date);
  });

  // Runs last: it reads everything the tests above wrote.
  it('never contains a password, token or code typed or issued in any of these tests', async () => {
    const raw = await t.db.$client.execute('SELECT * FROM audit_log');
    expect(raw.rows.length).toBeGreaterThan(20);
    expect(secretsSeen.size).toBeGreaterThan(40);
    const text = raw.rows.flatMap((row) => Object.values(row).map((value) => String(value ?? ''))).join('\n');
    for (const secret of secretsSeen) {
      // Digits only match whole numbers, so a 6-digit code is not "found" inside a timestamp.
      const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const pattern = /^\d+$/.test(secret) ? new RegExp(`(?<!\\d)${escaped}(?!\\d)`) : new RegExp(escaped, 'i');
      expect(text, `audit log contains ${secret}`).not.toMatch(pattern);
    }
  });
});
