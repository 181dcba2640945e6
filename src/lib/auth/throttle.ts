import { and, count, eq, gt, min } from 'drizzle-orm';
import { throttleEvents } from '#db/schema.ts';
import { write, type Database, type Transaction } from '#lib/db.ts';

/** At most 10 tries in 5 minutes per account and per address (docs/security.md). */
export const SIGN_IN_LIMIT = { max: 10, windowMs: 5 * 60 * 1000 };

/** Guesses at a member's second factor count together wherever they are made: sign-in, reset, recovery codes, "confirm it's you". */
export const mfaThrottleKey = (userId: number) => `mfa:account:${userId}`;

export type ThrottleResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts an attempt against each key and says whether it may go ahead. Refused attempts
 * are counted too, so hammering does not reopen the window. Kept in the database so
 * that every app server shares the limits.
 */
export async function throttle(db: Database, keys: string[], limit = SIGN_IN_LIMIT, now = new Date()): Promise<ThrottleResult> {
  return write(db, (tx) => throttleIn(tx, keys, limit, now));
}

/** The same, inside a write already under way (an attempt and what it does commit together). */
export async function throttleIn(tx: Transaction, keys: string[], limit = SIGN_IN_LIMIT, now = new Date()): Promise<ThrottleResult> {
  const since = new Date(now.getTime() - limit.windowMs);
  await tx.insert(throttleEvents).values(keys.map((key) => ({ key, at: now })));
  let retryAfterMs = 0;
  for (const key of keys) {
    const row = await tx
      .select({ n: count(), oldest: min(throttleEvents.at) })
      .from(throttleEvents)
      .where(and(eq(throttleEvents.key, key), gt(throttleEvents.at, since)))
      .get();
    if (row && row.n > limit.max && row.oldest) {
      retryAfterMs = Math.max(retryAfterMs, row.oldest.getTime() + limit.windowMs - now.getTime());
    }
  }
  return retryAfterMs > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } : { allowed: true };
}

/** A success clears the account's count, so a member who finally gets it right starts afresh. */
export async function clearThrottle(db: Database, key: string): Promise<void> {
  await write(db, (tx) => tx.delete(throttleEvents).where(eq(throttleEvents.key, key)));
}
