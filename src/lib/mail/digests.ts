/**
 * Daily and weekly digests. A message a member chose to get "in a daily digest" is held in
 * the outbox (status held). At the member's digest hour (Europe/London, 07:00 unless they
 * chose another; weekly ones on Mondays) everything held from before that moment goes
 * into one digest message:
 *
 * - `createDueDigests` (run by the worker every minute, or `npm run mail:digest`) makes
 *   the digest row and marks what it carries, in one transaction that also records the
 *   slot as done, so two processes can never make two digests for one slot;
 * - the worker then builds and sends it like any message: each item is checked again as
 *   it is built (still visible to the member, still wanted), and a digest left with
 *   nothing in it is not sent.
 */
import { and, asc, eq, lt, min } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { mailOutbox, mailPreferences, type OutboxRow } from '#db/schema.ts';
import { write, type Database, type Transaction } from '#lib/db.ts';
import type { Block, MailContent } from './compose.ts';
import { buildMessage, choosableFooter, type BuildContext, type Built } from './messages.ts';
import { kindInfo } from './kinds.ts';
import { lastDailySlot, lastWeeklySlot } from './schedule.ts';
import { DEFAULT_DIGEST_HOUR } from './settings.ts';

type Cadence = 'daily' | 'weekly';

/** A few dozen digests per transaction: one commit (and disk sync) for many, still short. */
const DIGESTS_PER_TRANSACTION = 50;

/** Makes every digest whose time has come; returns how many were made. */
export async function createDueDigests(db: Database, now = new Date()): Promise<number> {
  const waiting = await db
    .select({
      userId: mailOutbox.userId,
      cadence: mailOutbox.digest,
      oldest: min(mailOutbox.createdAt),
      hour: mailPreferences.digestHour,
      lastDaily: mailPreferences.lastDailyDigestAt,
      lastWeekly: mailPreferences.lastWeeklyDigestAt,
    })
    .from(mailOutbox)
    .leftJoin(mailPreferences, eq(mailPreferences.userId, mailOutbox.userId))
    .where(eq(mailOutbox.status, 'held'))
    .groupBy(mailOutbox.userId, mailOutbox.digest)
    .all();
  const due: { userId: number; cadence: Cadence; slot: Date }[] = [];
  for (const row of waiting) {
    if (row.userId === null || row.cadence === null || row.oldest === null) continue;
    const hour = row.hour ?? DEFAULT_DIGEST_HOUR;
    const slot = row.cadence === 'daily' ? lastDailySlot(now, hour) : lastWeeklySlot(now, hour);
    const last = row.cadence === 'daily' ? row.lastDaily : row.lastWeekly;
    // Everything held arrived after the last slot: it waits for the next one.
    if (new Date(row.oldest).getTime() >= slot.getTime()) continue;
    if (last && last.getTime() >= slot.getTime()) continue;
    due.push({ userId: row.userId, cadence: row.cadence, slot });
  }
  let made = 0;
  for (let i = 0; i < due.length; i += DIGESTS_PER_TRANSACTION) {
    made += await write(db, async (tx) => {
      let n = 0;
      for (const d of due.slice(i, i + DIGESTS_PER_TRANSACTION)) if (await createDigestIn(tx, d.userId, d.cadence, d.slot, now)) n++;
      return n;
    });
  }
  return made;
}

/** One digest: its row, what it carries, and the slot marked done, in the caller's transaction. */
async function createDigestIn(tx: Transaction, userId: number, cadence: Cadence, slot: Date, now: Date): Promise<boolean> {
  const preferences = await tx.select().from(mailPreferences).where(eq(mailPreferences.userId, userId)).get();
  const last = cadence === 'daily' ? preferences?.lastDailyDigestAt : preferences?.lastWeeklyDigestAt;
  if (last && last.getTime() >= slot.getTime()) return false;
  const [digest] = await tx
    .insert(mailOutbox)
    .values({ kind: 'digest', userId, payload: { cadence, slot: slot.getTime() }, messageKey: randomUUID(), status: 'queued', nextAttemptAt: now, createdAt: now })
    .returning({ id: mailOutbox.id });
  const carried = await tx
    .update(mailOutbox)
    .set({ status: 'digested', digestId: digest!.id, doneAt: now })
    .where(and(eq(mailOutbox.userId, userId), eq(mailOutbox.status, 'held'), eq(mailOutbox.digest, cadence), lt(mailOutbox.createdAt, slot)));
  if (carried.rowsAffected === 0) {
    await tx.delete(mailOutbox).where(eq(mailOutbox.id, digest!.id));
    return false;
  }
  const done = cadence === 'daily' ? { lastDailyDigestAt: slot } : { lastWeeklyDigestAt: slot };
  await tx.insert(mailPreferences).values({ userId, ...done }).onConflictDoUpdate({ target: mailPreferences.userId, set: done });
  return true;
}

/** Builds a digest from the messages it carries, each checked again now. */
export async function buildDigest(ctx: BuildContext, row: OutboxRow): Promise<Built> {
  const cadence = (row.payload as { cadence?: Cadence }).cadence === 'weekly' ? 'weekly' : 'daily';
  const carried = await ctx.db.select().from(mailOutbox).where(eq(mailOutbox.digestId, row.id)).orderBy(asc(mailOutbox.createdAt), asc(mailOutbox.id)).all();
  const items: Extract<Block, { type: 'items' }>['items'] = [];
  for (const item of carried) {
    if (kindInfo[item.kind].choice !== 'always' && ctx.settings?.cadences[item.kind] === 'never') continue;
    const built = await buildMessage(ctx, item);
    if (!built.ok) continue;
    const action = built.content.blocks.find((b) => b.type === 'action');
    const quote = built.content.blocks.find((b) => b.type === 'quote');
    items.push({ text: built.content.subject, url: action?.url ?? new URL('/forum', ctx.siteOrigin).href, ...(quote ? { quote: { text: quote.text, html: quote.html } } : {}) });
  }
  if (items.length === 0) return { ok: false, skip: 'Nothing in the digest is still visible to the member or wanted.' };
  const updates = `${items.length} ${items.length === 1 ? 'update' : 'updates'}`;
  const content: MailContent = {
    subject: `Your ${cadence} digest: ${updates}`,
    greeting: `Hello ${ctx.recipient!.displayName},`,
    blocks: [{ type: 'p', text: `Here is what happened since your last ${cadence} digest.` }, { type: 'items', items }],
    ...choosableFooter(ctx, `digest-${cadence}`, `You get this digest because you chose ${cadence} digests for some kinds of email.`),
  };
  return { ok: true, content };
}

