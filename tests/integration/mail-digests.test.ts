/**
 * Daily and weekly digests at the member's hour (Europe/London), built under the
 * restrictions and settings in force when they are sent, never twice for one slot; and
 * one-click unsubscribe with a signed token.
 */
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditLog, categories, mailKindSettings, mailOutbox, threads, type Category } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { createThread } from '#lib/forum/posting.ts';
import { createDueDigests } from '#lib/mail/digests.ts';
import { choosableKinds } from '#lib/mail/kinds.ts';
import { getMailSettings, saveMailSettings } from '#lib/mail/settings.ts';
import { unsubscribeToken } from '#lib/mail/tokens.ts';
import { unsubscribe, unsubscribeTarget } from '#lib/mail/unsubscribe.ts';
import type { SmtpSink } from '#tests/smtp-sink.ts';
import { mailWorld } from './mail-world.ts';

process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');
const world = mailWorld('Charity');
const { member } = world;
let db: Database;
let sink: SmtpSink;
let general: Category;
beforeEach(async () => {
  ({ db, sink } = world);
  general = await world.category('General');
});

/** Sets some kinds' cadences (and the digest hour), keeping the rest as they are. */
async function choose(userId: number, cadences: Record<string, string>, digestHour = 7) {
  const current = await getMailSettings(db, userId);
  const form = Object.fromEntries(choosableKinds.map((kind) => [`cadence-${kind}`, cadences[kind] ?? current.cadences[kind]]));
  await saveMailSettings(db, userId, { ...form, digestHour } as Parameters<typeof saveMailSettings>[2]);
}

const sendAt = (now: Date) => world.send(now);

const at = (iso: string) => new Date(iso);

describe('digests', () => {
  it('gathers what arrived before the member’s hour into one daily digest, once per slot, and holds the rest for the next', async () => {
    const alex = await member('Alex Author');
    const sam = await member('Sam Member');
    await choose(sam.id, { mention: 'daily' });
    // November: London is on GMT, so 07:00 London is 07:00 UTC.
    await createThread(db, alex, { categoryId: general.id, title: 'Monday evening', body: 'Hi @Sam Member' }, at('2026-11-09T19:00:00Z'));
    await createThread(db, alex, { categoryId: general.id, title: 'Tuesday dawn', body: 'Hi @Sam Member' }, at('2026-11-10T06:30:00Z'));
    await createThread(db, alex, { categoryId: general.id, title: 'Tuesday lunch', body: 'Hi @Sam Member' }, at('2026-11-10T12:00:00Z'));

    // Before 07:00 nothing is due.
    expect(await createDueDigests(db, at('2026-11-10T06:59:00Z'))).toBe(0);
    // At 13:00 the 07:00 slot has passed: one digest with the two earlier mentions.
    expect(await createDueDigests(db, at('2026-11-10T13:00:00Z'))).toBe(1);
    expect(await createDueDigests(db, at('2026-11-10T13:01:00Z'))).toBe(0);
    await sendAt(at('2026-11-10T13:01:00Z'));
    expect(sink.messages).toHaveLength(1);
    const [digest] = sink.messages;
    expect(digest!.to).toBe(sam.email);
    expect(digest!.subject).toBe('Your daily digest: 2 updates');
    expect(digest!.text).toContain('Alex Author mentioned you in “Monday evening”');
    expect(digest!.text).toContain('Alex Author mentioned you in “Tuesday dawn”');
    expect(digest!.text).not.toContain('Tuesday lunch');
    expect(digest!.header('List-Unsubscribe')).toContain(`/unsubscribe/${sam.id}.digest-daily.`);

    // The next morning the lunchtime mention goes out.
    expect(await createDueDigests(db, at('2026-11-11T07:00:00Z'))).toBe(1);
    await sendAt(at('2026-11-11T07:00:30Z'));
    expect(sink.messages).toHaveLength(2);
    expect(sink.messages[1]!.subject).toBe('Your daily digest: 1 update');
    expect(sink.messages[1]!.text).toContain('Tuesday lunch');
  });

  it('leaves out what the member may no longer see or no longer wants, and sends no empty digest', async () => {
    const alex = await member('Alex Author');
    const sam = await member('Sam Member');
    await choose(sam.id, { mention: 'daily', reply: 'daily' });
    const restricted = (await write(db, (tx) => tx.insert(categories).values({ slug: 'pcc', name: 'PCCs only', description: 'x', allowedOrganisationTypes: ['opcc'] }).returning()))[0]!;
    const moved = await createThread(db, alex, { categoryId: general.id, title: 'Moved away', body: 'Hi @Sam Member' }, at('2026-11-09T10:00:00Z'));
    await createThread(db, alex, { categoryId: general.id, title: 'Still here', body: 'Hi @Sam Member' }, at('2026-11-09T11:00:00Z'));
    if (!moved.ok) throw new Error('thread');
    await write(db, (tx) => tx.update(threads).set({ categoryId: restricted.id }).where(eq(threads.id, moved.thread.id)));
    await createDueDigests(db, at('2026-11-10T08:00:00Z'));
    await sendAt(at('2026-11-10T08:00:00Z'));
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]!.text).toContain('Still here');
    expect(sink.messages[0]!.text).not.toContain('Moved away');

    // Mentions held, then the member turns mentions off: that digest has nothing left.
    await createThread(db, alex, { categoryId: general.id, title: 'Later', body: 'Hi @Sam Member' }, at('2026-11-10T09:00:00Z'));
    await choose(sam.id, { mention: 'never' });
    await createDueDigests(db, at('2026-11-11T08:00:00Z'));
    await sendAt(at('2026-11-11T08:00:00Z'));
    expect(sink.messages).toHaveLength(1);
    const digests = await db.select().from(mailOutbox).where(and(eq(mailOutbox.userId, sam.id), eq(mailOutbox.kind, 'digest'))).all();
    expect(digests.map((d) => d.status)).toEqual(['sent', 'skipped']);
    expect(digests[1]!.lastError).toBe('Nothing in the digest is still visible to the member or wanted.');
  });

  it('sends weekly digests on Monday at the member’s chosen hour, London time', async () => {
    const alex = await member('Alex Author');
    const sam = await member('Sam Member');
    await choose(sam.id, { mention: 'weekly' }, 18);
    await createThread(db, alex, { categoryId: general.id, title: 'Midweek', body: 'Hi @Sam Member' }, at('2026-07-08T10:00:00Z'));
    // Monday 13 July 2026, 18:00 BST = 17:00 UTC.
    expect(await createDueDigests(db, at('2026-07-13T16:59:00Z'))).toBe(0);
    expect(await createDueDigests(db, at('2026-07-13T17:00:00Z'))).toBe(1);
    await sendAt(at('2026-07-13T17:00:00Z'));
    expect(sink.messages[0]!.subject).toBe('Your weekly digest: 1 update');
  });

  it('two digest runs at once make one digest', async () => {
    const alex = await member('Alex Author');
    const sam = await member('Sam Member');
    await choose(sam.id, { mention: 'daily' });
    await createThread(db, alex, { categoryId: general.id, title: 'Once', body: 'Hi @Sam Member' }, at('2026-11-09T10:00:00Z'));
    const made = await Promise.all([createDueDigests(db, at('2026-11-10T08:00:00Z')), createDueDigests(db, at('2026-11-10T08:00:00Z'))]);
    expect(made.sort()).toEqual([0, 1]);
  });
});

describe('one-click unsubscribe', () => {
  it('turns off what the signed token names, with no sign-in, and audits it', async () => {
    const sam = await member('Sam Member');
    const token = unsubscribeToken({ userId: sam.id, scope: 'mention' });
    expect(await unsubscribeTarget(db, token)).toMatchObject({ userId: sam.id, what: 'emails about mentions of you' });
    expect(await unsubscribe(db, token, '192.0.2.4')).not.toBeNull();
    expect((await getMailSettings(db, sam.id)).cadences.mention).toBe('never');
    const entry = await db.select().from(auditLog).where(eq(auditLog.action, 'mail-unsubscribe')).get();
    expect(entry).toMatchObject({ actorId: sam.id, ip: '192.0.2.4', detail: { scope: 'mention', kinds: ['mention'], via: 'email link' } });
  });

  it('refuses a tampered token, and changes nothing', async () => {
    const sam = await member('Sam Member');
    const other = await member('Other Member');
    const token = unsubscribeToken({ userId: sam.id, scope: 'mention' });
    const forged = token.replace(`${sam.id}.`, `${other.id}.`);
    expect(await unsubscribe(db, forged)).toBeNull();
    expect(await unsubscribe(db, token.replace('mention', 'reply'))).toBeNull();
    // Change a character inside the signature: its last base64url character carries padding bits, so changing that one may decode to the same bytes.
    const at = token.length - 10;
    expect(await unsubscribe(db, `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`)).toBeNull();
    expect(await db.select().from(mailKindSettings).all()).toHaveLength(0);
  });

  it('stops a digest: every kind that went into it becomes never', async () => {
    const sam = await member('Sam Member');
    await choose(sam.id, { mention: 'daily', reply: 'daily', quote: 'weekly' });
    await unsubscribe(db, unsubscribeToken({ userId: sam.id, scope: 'digest-daily' }));
    const { cadences } = await getMailSettings(db, sam.id);
    expect([cadences.mention, cadences.reply, cadences.quote]).toEqual(['never', 'never', 'weekly']);
  });
});
