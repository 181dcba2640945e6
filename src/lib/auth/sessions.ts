import { and, eq, ne, sql } from 'drizzle-orm';
import type { AstroCookies } from 'astro';
import { organisations, sessions, users, type OrganisationType, type Session, type User } from '#db/schema.ts';
import { preparedQuery, write, type Database, type Transaction } from '#lib/db.ts';
import { hashToken, randomToken, sameHash } from './tokens.ts';

/** Signed out after this long without a request (ASVS 7.3.1; docs/security.md). */
export const IDLE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
/** Signed out this long after signing in, however active (7.3.2). */
export const ABSOLUTE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** lastVerifiedAt is written at most this often, to keep reads free of writes. */
const ACTIVITY_WRITE_INTERVAL_MS = 5 * 60 * 1000;

export const SESSION_COOKIE = '__Host-session';

/**
 * The signed-in member as every request sees it (`locals.user`): only what pages, actions
 * and the forum's rules need, with their organisation's type, loaded with the session in
 * one query. Never the password hash: a secret no request needs stays in the database.
 * Code that needs more (the password change, the data export) reads it by id.
 */
export type SessionUser = Pick<User, 'id' | 'email' | 'displayName' | 'role' | 'organisationId'> & { organisationType: OrganisationType };

const sessionUserColumns = {
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  role: users.role,
  organisationId: users.organisationId,
  organisationType: organisations.type,
};

export type SessionValidation = { session: Session; user: SessionUser } | { session: null; user: null };
const none: SessionValidation = { session: null, user: null };

export interface SessionOrigin {
  ip?: string | null;
  userAgent?: string | null;
  mfaVerified?: boolean;
}

/** A new session row and its token; only the hash of the secret is stored. */
function newSession(userId: number, origin: SessionOrigin, now: Date) {
  const id = randomToken(15);
  const secret = randomToken(32);
  const values = {
    id,
    userId,
    secretHash: hashToken(secret),
    mfaVerified: origin.mfaVerified ?? false,
    createdAt: now,
    lastVerifiedAt: now,
    ip: origin.ip ?? null,
    userAgent: origin.userAgent?.slice(0, 300) ?? null,
  };
  return { token: `${id}.${secret}`, values };
}

/** Starts a session; the returned token goes in the cookie and nowhere else. */
export async function createSession(db: Database, userId: number, origin: SessionOrigin = {}, now = new Date()) {
  const { token, values } = newSession(userId, origin, now);
  const [session] = await write(db, (tx) => tx.insert(sessions).values(values).returning());
  return { token, session: session! };
}

/**
 * When the second factor succeeds, the half-signed session (password only) ends and a
 * new one with a new token takes its place (ASVS 7.2.4): a token seen before the code
 * was given (a fixated or stolen cookie) never becomes a signed-in session. Call inside
 * the write that records the success. Returns the new token, or null when the old
 * session is gone already.
 */
export async function replaceWithVerifiedSessionIn(tx: Transaction, sessionId: string, userId: number, now = new Date()): Promise<string | null> {
  const [old] = await tx.delete(sessions).where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId))).returning();
  if (!old) return null;
  const { token, values } = newSession(userId, { ip: old.ip, userAgent: old.userAgent, mfaVerified: true }, now);
  // The sign-in's start stays the start of the absolute lifetime.
  await tx.insert(sessions).values({ ...values, createdAt: old.createdAt });
  return token;
}

/** One query, prepared once, for everything a request needs about its member (the forum's rules need the organisation's type). */
const sessionWithMember = preparedQuery((db) =>
  db
    .select({ session: sessions, user: sessionUserColumns, status: users.status })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare(),
);

/** A malformed, unknown, expired or wrong token is simply "no session". */
export async function validateSessionToken(db: Database, token: string | undefined, now = new Date()): Promise<SessionValidation> {
  const [id, secret, extra] = token?.split('.') ?? [];
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 128) return none;
  const row = await sessionWithMember(db).get({ id });
  if (!row || !sameHash(hashToken(secret), row.session.secretHash)) return none;
  const { session, user } = row;
  const t = now.getTime();
  const expired =
    t - session.lastVerifiedAt.getTime() >= IDLE_TIMEOUT_MS || t - session.createdAt.getTime() >= ABSOLUTE_LIFETIME_MS;
  if (expired || row.status !== 'active') {
    await invalidateSession(db, session.id);
    return none;
  }
  if (t - session.lastVerifiedAt.getTime() >= ACTIVITY_WRITE_INTERVAL_MS) {
    session.lastVerifiedAt = now;
    await write(db, async (tx) => {
      await tx.update(sessions).set({ lastVerifiedAt: now }).where(eq(sessions.id, session.id));
      await tx.update(users).set({ lastSeenAt: now }).where(eq(users.id, user.id));
    });
  }
  return { session, user };
}

export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
  await write(db, (tx) => tx.delete(sessions).where(eq(sessions.id, sessionId)));
}

/** Ends every session of a member, or every one but `keep` (after a password change). */
export async function invalidateUserSessions(db: Database, userId: number, keep?: string): Promise<number> {
  const result = await write(db, (tx) =>
    tx.delete(sessions).where(keep ? and(eq(sessions.userId, userId), ne(sessions.id, keep)) : eq(sessions.userId, userId)),
  );
  return result.rowsAffected;
}

export function listUserSessions(db: Database, userId: number) {
  return db
    .select({ id: sessions.id, createdAt: sessions.createdAt, lastVerifiedAt: sessions.lastVerifiedAt, ip: sessions.ip, userAgent: sessions.userAgent })
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(sessions.createdAt)
    .all();
}

/**
 * HttpOnly so scripts cannot read it; SameSite=Lax so other sites cannot post with it;
 * Secure and the __Host- prefix pin it to this origin over HTTPS (browsers treat
 * http://localhost as secure, so the same cookie works in development).
 */
export function setSessionCookie(cookies: AstroCookies, token: string, now = new Date()): void {
  cookies.set(SESSION_COOKIE, token, {
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    path: '/',
    expires: new Date(now.getTime() + ABSOLUTE_LIFETIME_MS),
  });
}

export function deleteSessionCookie(cookies: AstroCookies): void {
  cookies.set(SESSION_COOKIE, '', { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: 0 });
}
