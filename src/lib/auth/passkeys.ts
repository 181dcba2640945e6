/**
 * Passkeys: a member adds them on /account/passkeys and can then sign in with one alone.
 * The device checks the member (PIN, fingerprint or face: user verification is required)
 * and holds the private key, so a passkey is both factors at once; password and app code
 * stay the way back in when no passkey is at hand.
 *
 * - Adding one needs a fully signed-in member who confirmed it is them in the last 10
 *   minutes (./reauthentication.ts), as for any change to how they sign in; so does
 *   removing one.
 * - Every challenge is random (32 bytes), kept only as a hash, lives 5 minutes, works
 *   once (it is deleted when answered, whatever the answer) and is bound to what asked for
 *   it: the session (adding) or the browser's sign-in attempt cookie (signing in).
 * - Signing in is throttled with the sign-in codes: per address, and per account once the
 *   passkey is known, so passkey guesses and code guesses count together.
 * What the bytes must say is checked in ./webauthn.ts.
 */
import { and, asc, count, eq, lt } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import { passkeys, users, webauthnChallenges, type Session, type User } from '#db/schema.ts';
import { config } from '#lib/config.ts';
import { write, type Database, type Transaction } from '#lib/db.ts';
import { enqueueMail } from '#lib/mail/outbox.ts';
import { rateLimited, refuse, type Refusal, type Result } from '#lib/result.ts';
import { audit, auditIn } from './audit.ts';
import { isRecentlyReauthenticated, REAUTHENTICATION_NEEDED } from './reauthentication.ts';
import type { SessionUser } from './sessions.ts';
import { signInAccountKey, signInIpKey } from './sign-in.ts';
import { clearThrottle, mfaThrottleKey, throttle, throttleIn } from './throttle.ts';
import { hashToken, randomToken, sameHash } from './tokens.ts';
import { readClientData, relyingPartyOf, SUPPORTED_ALGORITHMS, verifyAssertion, verifyAttestation, type RelyingParty, type WebAuthnProblem } from './webauthn.ts';

/** How long a challenge waits for its answer (the browser is told the same). */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const PASSKEY_NAME_MAX = 60;
/** Enough for a few devices and a spare security key. */
export const PASSKEYS_PER_MEMBER_MAX = 10;
/** Ties a sign-in challenge to the browser that asked for it. */
export const PASSKEY_ATTEMPT_COOKIE = '__Host-passkey-attempt';
/** Sign-in challenges handed to one address: plenty for people, too few to fill the table. */
export const SIGN_IN_CHALLENGE_LIMIT = { max: 30, windowMs: 5 * 60 * 1000 };

/** The portal as relying party: SITE_URL's host name and origin, never the request's Host header. */
export const portalRelyingParty = () => relyingPartyOf(config().SITE_URL);

const challengeKey = (challenge: Uint8Array) => Buffer.from(sha256(challenge));

/** What the browser calls the member's account on the device: not personal data, just our id. */
const userHandleOf = (userId: number) => new TextEncoder().encode(String(userId));

function newChallenge(): Uint8Array {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return bytes;
}

/** Base64url, the way WebAuthn's JSON forms carry bytes. */
export const toBase64url = (bytes: Uint8Array) => encodeBase64urlNoPadding(bytes);
export function fromBase64url(text: string): Uint8Array | null {
  try {
    return decodeBase64urlIgnorePadding(text);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- challenges

type Binding = { purpose: 'register'; userId: number; sessionId: string } | { purpose: 'sign-in'; attempt: string | undefined };

/**
 * Uses up a challenge: any answer to it deletes it, and it counts only if it was issued
 * for this binding (this session, or this browser's attempt cookie) and is still fresh.
 * Committed on its own, before anything else is checked, so a challenge never works
 * twice, even after an answer that failed.
 */
async function useChallenge(db: Database, challenge: Uint8Array, binding: Binding, now: Date): Promise<boolean> {
  const [row] = await write(db, (tx) =>
    tx
      .delete(webauthnChallenges)
      .where(and(eq(webauthnChallenges.challengeHash, challengeKey(challenge)), eq(webauthnChallenges.purpose, binding.purpose)))
      .returning(),
  );
  if (!row || row.expiresAt.getTime() <= now.getTime()) return false;
  if (binding.purpose === 'register') return row.userId === binding.userId && row.sessionId === binding.sessionId;
  return Boolean(binding.attempt && row.attemptHash && sameHash(row.attemptHash, hashToken(binding.attempt)));
}

/** Challenges never answered: removed whenever a new one is made (and by the retention job). */
export function deleteExpiredChallengesIn(tx: Transaction, now: Date) {
  return tx.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, now));
}

// ---------------------------------------------------------------- what members see

export interface PasskeySummary {
  id: number;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export function listPasskeys(db: Database, userId: number): Promise<PasskeySummary[]> {
  return db
    .select({ id: passkeys.id, name: passkeys.name, createdAt: passkeys.createdAt, lastUsedAt: passkeys.lastUsedAt })
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(asc(passkeys.createdAt), asc(passkeys.id))
    .all();
}

/** What each refusal says: clear about what to do, never which check failed. */
function refusalFor(problem: WebAuthnProblem, doing: 'add' | 'sign-in'): Refusal {
  if (problem === 'challenge') {
    return refuse('unauthenticated', doing === 'add' ? 'This page waited too long, or the passkey was already sent. Try again.' : 'This sign-in waited too long, or was already used. Try again.');
  }
  if (doing === 'add') {
    if (problem === 'user-verification') return refuse('invalid', 'Your device did not check it was you (a PIN, fingerprint or face). Set up a screen lock or PIN on it, then try again.');
    if (problem === 'algorithm') return refuse('invalid', 'This device makes a kind of passkey the portal does not accept. Try another device or security key.');
    return refuse('invalid', 'Your passkey could not be added. Try again; if it fails again, keep signing in with your password and a code.');
  }
  return refuse('unauthenticated', 'That passkey could not be used to sign in. Try again, or sign in with your email address, password and a code.');
}

// ---------------------------------------------------------------- adding

export interface Member {
  user: Pick<SessionUser, 'id' | 'email' | 'displayName'>;
  session: Pick<Session, 'id' | 'reauthenticatedAt'>;
}

/** The options for navigator.credentials.create(), as JSON the page's script turns into bytes. */
export interface CreationOptions {
  challenge: string;
  rp: { id: string; name: string };
  user: { id: string; name: string; displayName: string };
  pubKeyCredParams: { type: 'public-key'; alg: number }[];
  excludeCredentials: { type: 'public-key'; id: string }[];
  authenticatorSelection: { residentKey: 'required'; requireResidentKey: true; userVerification: 'required' };
  attestation: 'none';
  timeout: number;
}

const TOO_MANY = refuse('conflict', `You have ${PASSKEYS_PER_MEMBER_MAX} passkeys, the most an account can have. Remove one you no longer use first.`);

/**
 * A challenge for adding a passkey, bound to this session (a newer one replaces it), and
 * the options the browser needs. The member must have confirmed it is them.
 */
export async function registrationOptions(db: Database, member: Member, rp: RelyingParty, now = new Date()): Promise<Result<{ options: CreationOptions }>> {
  if (!isRecentlyReauthenticated(member.session, now)) return REAUTHENTICATION_NEEDED;
  const existing = await db.select({ credentialId: passkeys.credentialId }).from(passkeys).where(eq(passkeys.userId, member.user.id)).all();
  if (existing.length >= PASSKEYS_PER_MEMBER_MAX) return TOO_MANY;
  const challenge = newChallenge();
  await write(db, async (tx) => {
    await deleteExpiredChallengesIn(tx, now);
    await tx.delete(webauthnChallenges).where(and(eq(webauthnChallenges.sessionId, member.session.id), eq(webauthnChallenges.purpose, 'register')));
    await tx.insert(webauthnChallenges).values({
      challengeHash: challengeKey(challenge),
      purpose: 'register',
      userId: member.user.id,
      sessionId: member.session.id,
      expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
    });
  });
  return {
    ok: true,
    options: {
      challenge: toBase64url(challenge),
      rp: { id: rp.id, name: rp.name },
      user: { id: toBase64url(userHandleOf(member.user.id)), name: member.user.email, displayName: member.user.displayName },
      pubKeyCredParams: SUPPORTED_ALGORITHMS.map((alg) => ({ type: 'public-key', alg })),
      // The browser will not make a second passkey on a device that holds one already.
      excludeCredentials: existing.map((p) => ({ type: 'public-key', id: toBase64url(p.credentialId) })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      attestation: 'none',
      timeout: CHALLENGE_TTL_MS,
    },
  };
}

export interface NewPasskeyInput {
  name: string;
  clientDataJSON: Uint8Array;
  attestationObject: Uint8Array;
}

/**
 * Checks the browser's answer to a registration challenge and keeps the new passkey's
 * public key under the member's name for it. The member is emailed. Tries count against
 * the member's code throttle.
 */
export async function addPasskey(db: Database, member: Member, input: NewPasskeyInput, rp: RelyingParty, ip: string | null, now = new Date()): Promise<Result<{ passkey: PasskeySummary }>> {
  const userId = member.user.id;
  if (!isRecentlyReauthenticated(member.session, now)) return REAUTHENTICATION_NEEDED;
  const limited = await throttle(db, [mfaThrottleKey(userId)], undefined, now);
  if (!limited.allowed) {
    await audit(db, { actorId: userId, action: 'passkey-add', outcome: 'refused', targetType: 'user', targetId: userId, ip, detail: { reason: 'throttled' } }, now);
    return rateLimited(limited.retryAfterSeconds);
  }
  const failed = async (problem: WebAuthnProblem) => {
    await audit(db, { actorId: userId, action: 'passkey-add', outcome: 'failure', targetType: 'user', targetId: userId, ip, detail: { reason: problem } }, now);
    return refusalFor(problem, 'add');
  };
  const client = readClientData(input.clientDataJSON, 'create', rp);
  if (!client.ok) return failed(client.problem);
  if (!(await useChallenge(db, client.challenge, { purpose: 'register', userId, sessionId: member.session.id }, now))) return failed('challenge');
  const checked = verifyAttestation(input.attestationObject, rp);
  if (!checked.ok) return failed(checked.problem);
  const { credential } = checked;
  return write(db, async (tx) => {
    const held = await tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId)).get();
    if ((held?.n ?? 0) >= PASSKEYS_PER_MEMBER_MAX) return TOO_MANY;
    const [row] = await tx
      .insert(passkeys)
      .values({ userId, credentialId: Buffer.from(credential.id), algorithm: credential.algorithm, publicKey: Buffer.from(credential.publicKey), signCount: credential.signCount, name: input.name, createdAt: now })
      .onConflictDoNothing()
      .returning({ id: passkeys.id, name: passkeys.name, createdAt: passkeys.createdAt, lastUsedAt: passkeys.lastUsedAt });
    if (!row) {
      await auditIn(tx, { actorId: userId, action: 'passkey-add', outcome: 'failure', targetType: 'user', targetId: userId, ip, detail: { reason: 'already-added' } }, now);
      return refuse('taken', 'That passkey has been added already.');
    }
    await auditIn(tx, { actorId: userId, action: 'passkey-add', outcome: 'success', targetType: 'passkey', targetId: row.id, ip, detail: { algorithm: credential.algorithm } }, now);
    await enqueueMail(tx, { kind: 'passkeys-changed', userId, data: { how: 'added', name: input.name } }, now);
    return { ok: true, passkey: row } as const;
  });
}

/** Removes one of the member's passkeys (after they confirmed it is them); someone else's is "not found". */
export async function removePasskey(db: Database, member: Member, passkeyId: number, ip: string | null, now = new Date()): Promise<Result> {
  const userId = member.user.id;
  if (!isRecentlyReauthenticated(member.session, now)) return REAUTHENTICATION_NEEDED;
  return write(db, async (tx) => {
    const [removed] = await tx.delete(passkeys).where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, userId))).returning({ name: passkeys.name });
    if (!removed) {
      await auditIn(tx, { actorId: userId, action: 'passkey-remove', outcome: 'refused', targetType: 'passkey', targetId: passkeyId, ip, detail: { reason: 'not-found' } }, now);
      return refuse('not-found', 'That passkey was not found. It may have been removed already.');
    }
    await auditIn(tx, { actorId: userId, action: 'passkey-remove', outcome: 'success', targetType: 'passkey', targetId: passkeyId, ip }, now);
    await enqueueMail(tx, { kind: 'passkeys-changed', userId, data: { how: 'removed', name: removed.name } }, now);
    return { ok: true } as const;
  });
}

/** Removes every passkey of a member and their open challenges (erasure, an administrator's reset). */
export async function deletePasskeysIn(tx: Transaction, userId: number): Promise<number> {
  await tx.delete(webauthnChallenges).where(eq(webauthnChallenges.userId, userId));
  const removed = await tx.delete(passkeys).where(eq(passkeys.userId, userId));
  return removed.rowsAffected;
}

// ---------------------------------------------------------------- signing in

/** The options for navigator.credentials.get(): no list of credentials, the device offers its passkeys for us. */
export interface RequestOptions {
  challenge: string;
  rpId: string;
  userVerification: 'required';
  timeout: number;
}

/**
 * A challenge for signing in with a passkey, bound to a new attempt token that the
 * caller puts in the browser's attempt cookie. Throttled per address.
 */
export async function signInOptions(db: Database, ip: string, rp: RelyingParty, now = new Date()): Promise<Result<{ attempt: string; options: RequestOptions }>> {
  const challenge = newChallenge();
  const attempt = randomToken(32);
  const limited = await write(db, async (tx) => {
    const allowed = await throttleIn(tx, [`passkey-challenge:ip:${ip}`], SIGN_IN_CHALLENGE_LIMIT, now);
    if (!allowed.allowed) return allowed;
    await deleteExpiredChallengesIn(tx, now);
    await tx.insert(webauthnChallenges).values({ challengeHash: challengeKey(challenge), purpose: 'sign-in', attemptHash: hashToken(attempt), expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS) });
    return allowed;
  });
  if (!limited.allowed) return rateLimited(limited.retryAfterSeconds);
  return { ok: true, attempt, options: { challenge: toBase64url(challenge), rpId: rp.id, userVerification: 'required', timeout: CHALLENGE_TTL_MS } };
}

export interface PasskeySignInInput {
  credentialId: Uint8Array;
  clientDataJSON: Uint8Array;
  authenticatorData: Uint8Array;
  signature: Uint8Array;
  /** What the device says the account is; checked against the passkey's owner when sent. */
  userHandle?: Uint8Array | null;
}

/**
 * Signing in with a passkey alone. Throttled and audited like the second step of signing
 * in; a suspended or erased member, an unknown passkey, a used or foreign challenge, a
 * wrong origin or rp id, a missing user verification, a bad signature or a counter that
 * did not go up all get the same answer and change nothing but the throttle count. On
 * success the passkey's counter and last use are stored; the caller starts a new, fully
 * signed-in session.
 */
export async function signInWithPasskey(db: Database, input: PasskeySignInInput, attempt: string | undefined, rp: RelyingParty, ip: string, now = new Date()): Promise<Result<{ user: User }>> {
  const found = await db
    .select({ passkey: passkeys, user: users })
    .from(passkeys)
    .innerJoin(users, eq(users.id, passkeys.userId))
    .where(eq(passkeys.credentialId, Buffer.from(input.credentialId)))
    .get();
  const actorId = found?.user.id ?? null;
  const limited = await throttle(db, found ? [mfaThrottleKey(found.user.id), signInIpKey(ip)] : [signInIpKey(ip)], undefined, now);
  if (!limited.allowed) {
    await audit(db, { actorId, action: 'sign-in', outcome: 'refused', ip, detail: { method: 'passkey', reason: 'throttled' } }, now);
    return rateLimited(limited.retryAfterSeconds);
  }
  const failed = async (reason: WebAuthnProblem | 'suspended') => {
    await audit(db, { actorId, action: 'sign-in', outcome: 'failure', ip, detail: { method: 'passkey', reason } }, now);
    return refusalFor(reason === 'suspended' ? 'unknown-credential' : reason, 'sign-in');
  };
  const client = readClientData(input.clientDataJSON, 'get', rp);
  if (!client.ok) return failed(client.problem);
  if (!(await useChallenge(db, client.challenge, { purpose: 'sign-in', attempt }, now))) return failed('challenge');
  if (!found) return failed('unknown-credential');
  const { passkey, user } = found;
  if (input.userHandle && Buffer.compare(Buffer.from(input.userHandle), Buffer.from(userHandleOf(user.id))) !== 0) return failed('unknown-credential');
  if (user.status !== 'active') return failed('suspended');
  const checked = verifyAssertion(input, passkey, rp);
  if (!checked.ok) return failed(checked.problem);
  // Only if the counter is still the one checked: two answers racing with one counter value cannot both pass.
  const stored = await write(db, async (tx) => {
    const updated = await tx
      .update(passkeys)
      .set({ signCount: checked.signCount, lastUsedAt: now })
      .where(and(eq(passkeys.id, passkey.id), eq(passkeys.signCount, passkey.signCount)));
    if (updated.rowsAffected !== 1) return false;
    await auditIn(tx, { actorId: user.id, action: 'sign-in', outcome: 'success', ip, detail: { method: 'passkey', passkeyId: passkey.id } }, now);
    return true;
  });
  if (!stored) return failed('counter');
  await clearThrottle(db, signInAccountKey(user.email));
  await clearThrottle(db, mfaThrottleKey(user.id));
  return { ok: true, user };
}
