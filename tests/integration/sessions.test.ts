import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users, type User } from '#db/schema.ts';
import { write } from '#lib/db.ts';
import {
  ABSOLUTE_LIFETIME_MS,
  IDLE_TIMEOUT_MS,
  createSession,
  invalidateSession,
  invalidateUserSessions,
  validateSessionToken,
} from '#lib/auth/sessions.ts';
import { createTestUser, freshDatabase, type TestDatabase } from './helpers.ts';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const t0 = new Date('2026-11-29T09:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

let t: TestDatabase;
let member: User;
let other: User;
beforeAll(async () => {
  t = await freshDatabase();
  // One argon2 hash for everyone: these tests are about sessions, not passwords.
  member = (await createTestUser(t.db)).user;
  other = (await createTestUser(t.db, { passwordHash: member.passwordHash })).user;
});
afterAll(() => t.cleanup());

function storedSession(id: string) {
  return t.db.select().from(sessions).where(eq(sessions.id, id)).get();
}

describe('a session token', () => {
  it('signs the member in: validating it returns the member and the session', async () => {
    const { token, session } = await createSession(t.db, member.id, { ip: '203.0.113.7', userAgent: 'Firefox' });
    const result = await validateSessionToken(t.db, token);
    expect(result.user?.id).toBe(member.id);
    expect(result.user?.email).toBe(member.email);
    expect(result.session?.id).toBe(session.id);
    expect(result.session?.mfaVerified).toBe(false);
  });

  it('carries only what requests need about the member: never the password hash', async () => {
    const { token } = await createSession(t.db, member.id);
    const { user } = await validateSessionToken(t.db, token);
    expect(user).toEqual({
      id: member.id,
      email: member.email,
      displayName: member.displayName,
      role: member.role,
      organisationId: member.organisationId,
      organisationType: expect.any(String),
    });
    expect(user).not.toHaveProperty('passwordHash');
  });

  it('is id.secret, base32, with a 256-bit secret', async () => {
    const { token, session } = await createSession(t.db, member.id);
    expect(token).toMatch(/^[a-z2-7]+\.[a-z2-7]+$/);
    const [id, secret] = token.split('.');
    expect(id).toBe(session.id);
    expect(secret).toHaveLength(52); // 32 bytes in base32 without padding
    const second = await createSession(t.db, member.id);
    expect(second.token).not.toBe(token);
  });

  it('is kept in the database only as the 32-byte SHA-256 of its secret', async () => {
    const { token } = await createSession(t.db, member.id);
    const [id, secret] = token.split('.') as [string, string];
    const raw = await t.db.$client.execute({ sql: 'SELECT * FROM sessions WHERE id = ?', args: [id] });
    const row = raw.rows[0]!;
    const hash = Buffer.from(row.secret_hash as ArrayBuffer);
    expect(hash).toHaveLength(32);
    expect(hash.equals(createHash('sha256').update(secret).digest())).toBe(true);
    for (const value of Object.values(row)) {
      const text = value instanceof ArrayBuffer ? Buffer.from(value).toString('latin1') : String(value);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(token);
    }
  });

  it('with a tampered secret of the same length gives no session, and does not sign the member out', async () => {
    const { token } = await createSession(t.db, member.id);
    const last = token.at(-1)!;
    const tampered = token.slice(0, -1) + (last === 'a' ? 'b' : 'a');
    expect(tampered).toHaveLength(token.length);
    expect(await validateSessionToken(t.db, tampered)).toEqual({ session: null, user: null });
    const [id] = token.split('.');
    const otherSecret = (await createSession(t.db, member.id)).token.split('.')[1];
    expect(await validateSessionToken(t.db, `${id}.${otherSecret}`)).toEqual({ session: null, user: null });
    expect((await validateSessionToken(t.db, token)).user?.id).toBe(member.id);
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abc'],
    ['three parts', 'a.b.c'],
    ['unknown id', 'aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'],
    ['very long', `${'a'.repeat(10_000)}.${'b'.repeat(100_000)}`],
    ['only a dot', '.'],
    ['no secret', 'abc.'],
    ['no id', '.abc'],
  ])('that is malformed (%s) gives no session', async (_name, token) => {
    expect(await validateSessionToken(t.db, token)).toEqual({ session: null, user: null });
  });

  it('that is missing gives no session', async () => {
    expect(await validateSessionToken(t.db, undefined)).toEqual({ session: null, user: null });
  });

  it('with a real id and secret plus a trailing part gives no session', async () => {
    const { token } = await createSession(t.db, member.id);
    expect(await validateSessionToken(t.db, `${token}.x`)).toEqual({ session: null, user: null });
    expect(await validateSessionToken(t.db, `${token}x`)).toEqual({ session: null, user: null });
  });
});

describe('session lifetime', () => {
  it('ends after 12 hours without a request, and the row is deleted', async () => {
    const { token, session } = await createSession(t.db, member.id, {}, t0);
    expect((await validateSessionToken(t.db, token, at(IDLE_TIMEOUT_MS - 1))).user?.id).toBe(member.id);
    // That request refreshed lastVerifiedAt, so the 12 hours now count from it.
    expect((await validateSessionToken(t.db, token, at(2 * IDLE_TIMEOUT_MS - 2))).user?.id).toBe(member.id);
    expect(await validateSessionToken(t.db, token, at(3 * IDLE_TIMEOUT_MS - 2))).toEqual({ session: null, user: null });
    expect(await storedSession(session.id)).toBeUndefined();
  });

  it('ends 7 days after sign-in however active the member is, and the row is deleted', async () => {
    const { token, session } = await createSession(t.db, member.id, {}, t0);
    for (let elapsed = 11 * HOUR; elapsed < ABSOLUTE_LIFETIME_MS; elapsed += 11 * HOUR) {
      expect((await validateSessionToken(t.db, token, at(elapsed))).user?.id, `after ${elapsed / HOUR} h`).toBe(member.id);
    }
    expect((await validateSessionToken(t.db, token, at(ABSOLUTE_LIFETIME_MS - 1))).user?.id).toBe(member.id);
    expect(await validateSessionToken(t.db, token, at(ABSOLUTE_LIFETIME_MS))).toEqual({ session: null, user: null });
    expect(await storedSession(session.id)).toBeUndefined();
  });

  it('records activity at most every 5 minutes: lastVerifiedAt is not rewritten sooner, and is after', async () => {
    const { token, session } = await createSession(t.db, member.id, {}, t0);
    await validateSessionToken(t.db, token, at(5 * MINUTE - 1));
    expect((await storedSession(session.id))!.lastVerifiedAt).toEqual(t0);

    const result = await validateSessionToken(t.db, token, at(5 * MINUTE));
    expect(result.session?.lastVerifiedAt).toEqual(at(5 * MINUTE));
    expect((await storedSession(session.id))!.lastVerifiedAt).toEqual(at(5 * MINUTE));
    const seen = await t.db.select({ lastSeenAt: users.lastSeenAt }).from(users).where(eq(users.id, member.id)).get();
    expect(seen!.lastSeenAt).toEqual(at(5 * MINUTE));
  });
});

describe('signing out', () => {
  it('ends one session and leaves the member’s others alone', async () => {
    const first = await createSession(t.db, member.id);
    const second = await createSession(t.db, member.id);
    await invalidateSession(t.db, first.session.id);
    expect(await validateSessionToken(t.db, first.token)).toEqual({ session: null, user: null });
    expect(await storedSession(first.session.id)).toBeUndefined();
    expect((await validateSessionToken(t.db, second.token)).user?.id).toBe(member.id);
  });

  it('everywhere but here (after a password change) keeps only that session and touches no one else’s', async () => {
    await invalidateUserSessions(t.db, member.id);
    const sessionsOfMember = await Promise.all([1, 2, 3].map(() => createSession(t.db, member.id)));
    const others = await createSession(t.db, other.id);
    const keep = sessionsOfMember[1]!;

    expect(await invalidateUserSessions(t.db, member.id, keep.session.id)).toBe(2);
    expect((await validateSessionToken(t.db, keep.token)).session?.id).toBe(keep.session.id);
    expect(await validateSessionToken(t.db, sessionsOfMember[0]!.token)).toEqual({ session: null, user: null });
    expect(await validateSessionToken(t.db, sessionsOfMember[2]!.token)).toEqual({ session: null, user: null });
    expect((await validateSessionToken(t.db, others.token)).user?.id).toBe(other.id);

    expect(await invalidateUserSessions(t.db, member.id)).toBe(1);
    expect(await validateSessionToken(t.db, keep.token)).toEqual({ session: null, user: null });
    expect((await validateSessionToken(t.db, others.token)).user?.id).toBe(other.id);
  });
});

describe('a suspended member', () => {
  it('has no session, and the session row is deleted', async () => {
    const { user } = await createTestUser(t.db, { passwordHash: member.passwordHash });
    const { token, session } = await createSession(t.db, user.id);
    expect((await validateSessionToken(t.db, token)).user?.id).toBe(user.id);
    await write(t.db, (tx) => tx.update(users).set({ status: 'suspended' }).where(eq(users.id, user.id)));
    expect(await validateSessionToken(t.db, token)).toEqual({ session: null, user: null });
    expect(await storedSession(session.id)).toBeUndefined();
  });
});
