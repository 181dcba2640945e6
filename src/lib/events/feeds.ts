import { and, eq } from 'drizzle-orm';
import { calendarFeeds, users, type User } from '#db/schema.ts';
import { write, type Database, type Queryable } from '#lib/db.ts';
import { auditIn } from '#lib/auth/audit.ts';
import { hashToken, randomToken } from '#lib/auth/tokens.ts';

/** What a feed token looks like: 52 base32 letters and digits (256 bits), nothing else. */
const TOKEN_SHAPE = /^[a-z2-7]{52}$/;

/** The private address of a member's calendar feed. */
export function calendarFeedUrl(site: URL, token: string): string {
  return new URL(`/members/calendar/${token}.ics`, site).href;
}

/**
 * Makes the member a new private feed address, replacing (and so revoking) any earlier
 * one. The token is returned once, to be shown once; only its hash is stored.
 */
export async function createCalendarFeed(db: Database, userId: number, ip: string | null, now = new Date()): Promise<string> {
  const token = randomToken(32);
  await write(db, async (tx) => {
    const replaced = await tx.delete(calendarFeeds).where(eq(calendarFeeds.userId, userId)).returning();
    await tx.insert(calendarFeeds).values({ userId, tokenHash: hashToken(token), createdAt: now });
    await auditIn(tx, { actorId: userId, action: 'calendar-feed-create', outcome: 'success', targetType: 'user', targetId: userId, ip, detail: { replaced: replaced.length > 0 } }, now);
  });
  return token;
}

/** Stops the member's feed address; returns whether there was one. */
export async function revokeCalendarFeed(db: Database, userId: number, ip: string | null, now = new Date()): Promise<boolean> {
  return write(db, async (tx) => {
    const removed = await tx.delete(calendarFeeds).where(eq(calendarFeeds.userId, userId)).returning();
    if (removed.length) await auditIn(tx, { actorId: userId, action: 'calendar-feed-revoke', outcome: 'success', targetType: 'user', targetId: userId, ip }, now);
    return removed.length > 0;
  });
}

/** Deletes a member's feed inside another change (suspension), with no audit row of its own. */
export async function deleteCalendarFeed(tx: Queryable, userId: number): Promise<void> {
  await tx.delete(calendarFeeds).where(eq(calendarFeeds.userId, userId));
}

/** When the member's current feed address was made, or null if they have none. */
export async function calendarFeedOf(db: Queryable, userId: number): Promise<{ createdAt: Date } | null> {
  return (await db.select({ createdAt: calendarFeeds.createdAt }).from(calendarFeeds).where(eq(calendarFeeds.userId, userId)).get()) ?? null;
}

/**
 * The active member a feed token belongs to, or null for anything else: a malformed,
 * unknown, revoked or tampered token, or a suspended member's. The caller answers every
 * null the same way (404), so a probe learns nothing.
 */
export async function memberForCalendarToken(db: Queryable, token: string | undefined): Promise<User | null> {
  if (!token || !TOKEN_SHAPE.test(token)) return null;
  const row = await db
    .select({ user: users })
    .from(calendarFeeds)
    .innerJoin(users, eq(users.id, calendarFeeds.userId))
    .where(and(eq(calendarFeeds.tokenHash, hashToken(token)), eq(users.status, 'active')))
    .get();
  return row?.user ?? null;
}
