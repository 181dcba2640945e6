import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { auditLog, categories, invitations, knownBrowsers, mailOutbox, notifications, organisations, posts, sessions, threads, users } from '#db/schema.ts';
import { migrateDatabase, openDatabase, write, type Database } from '#lib/db.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { createInvitation } from '#lib/auth/invitations.ts';
import { audit } from '#lib/auth/audit.ts';
import { purgeExpired } from '#lib/auth/retention.ts';

process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');
const DAY = 24 * 60 * 60 * 1000;
const dir = mkdtempSync(join(tmpdir(), 'nmsn-retention-'));
let db: Database;

beforeAll(async () => {
  db = await openDatabase({ DATABASE_URL: `file:${join(dir, 'portal.db')}` });
  await migrateDatabase(db);
});
afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = async (table: typeof sessions | typeof invitations | typeof auditLog | typeof mailOutbox | typeof knownBrowsers) => (await db.select({ n: count() }).from(table).get())!.n;

describe('the retention job', () => {
  it('removes expired sessions, spent invitations and old audit rows, and keeps the rest', async () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const [org] = await write(db, (tx) => tx.insert(organisations).values({ name: 'Retention org', type: 'charity', region: 'national' }).returning());
    const [user] = await write(db, (tx) => tx.insert(users).values({ email: 'r@example.org', displayName: 'R', organisationId: org!.id, passwordHash: 'x' }).returning());

    await createSession(db, user!.id, {}, new Date(now.getTime() - 13 * 60 * 60 * 1000)); // idle too long
    await createSession(db, user!.id, {}, new Date(now.getTime() - 60 * 1000)); // live
    await createInvitation(db, null, { email: 'old@example.org', role: 'member', organisationId: org!.id }, null, new Date(now.getTime() - 40 * DAY)); // expired long ago
    await createInvitation(db, null, { email: 'new@example.org', role: 'member', organisationId: org!.id }, null, now); // open
    await audit(db, { actorId: null, action: 'old', outcome: 'success' }, new Date(now.getTime() - 800 * DAY));
    const auditBefore = await rows(auditLog);
    // Mail sent 100 days ago goes; the two invitations' emails, still queued, stay.
    const old = new Date(now.getTime() - 100 * DAY);
    await write(db, (tx) =>
      tx.insert(mailOutbox).values({ kind: 'password-changed', userId: user!.id, payload: { how: 'changed' }, messageKey: 'old-sent', status: 'sent', nextAttemptAt: old, createdAt: old, doneAt: old }),
    );
    await write(db, (tx) =>
      tx.insert(knownBrowsers).values([
        { userId: user!.id, tokenHash: Buffer.from('old'), firstSeenAt: old, lastSeenAt: new Date(now.getTime() - 401 * DAY) },
        { userId: user!.id, tokenHash: Buffer.from('new'), firstSeenAt: old, lastSeenAt: now },
      ]),
    );

    const removed = await purgeExpired(db, now);

    expect(removed.sessions).toBe(1);
    expect(await rows(sessions)).toBe(1);
    expect(removed.invitations).toBe(1);
    expect(await rows(invitations)).toBe(1);
    expect(removed.auditLog).toBe(1);
    expect(await rows(auditLog)).toBe(auditBefore - 1);
    expect(removed.mailOutbox).toBe(1);
    expect(await rows(mailOutbox)).toBe(2);
    expect(removed.knownBrowsers).toBe(1);
    expect(await rows(knownBrowsers)).toBe(1);
  });

  it('removes notifications read more than 90 days ago, and keeps newer and unread ones', async () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const [org] = await write(db, (tx) => tx.insert(organisations).values({ name: 'Notifications org', type: 'charity', region: 'national' }).returning());
    const [user] = await write(db, (tx) => tx.insert(users).values({ email: 'n@example.org', displayName: 'N', organisationId: org!.id, passwordHash: 'x' }).returning());
    const [category] = await write(db, (tx) => tx.insert(categories).values({ slug: 'retention', name: 'Retention', description: 'Test' }).returning());
    const [thread] = await write(db, (tx) => tx.insert(threads).values({ categoryId: category!.id, title: 'A thread', slug: 'a-thread', bumpedAt: now }).returning());
    const [post] = await write(db, (tx) => tx.insert(posts).values({ threadId: thread!.id, postNumber: 1, raw: 'Hello', html: '<p>Hello</p>' }).returning());
    const notification = (createdDaysAgo: number, readDaysAgo: number | null) => ({
      userId: user!.id,
      kind: 'reply' as const,
      threadId: thread!.id,
      postId: post!.id,
      createdAt: new Date(now.getTime() - createdDaysAgo * DAY),
      readAt: readDaysAgo === null ? null : new Date(now.getTime() - readDaysAgo * DAY),
    });
    await write(db, (tx) => tx.insert(notifications).values([notification(200, 91), notification(100, 89), notification(400, null)]));

    const removed = await purgeExpired(db, now);

    expect(removed.readNotifications).toBe(1);
    const left = await db.select().from(notifications).where(eq(notifications.userId, user!.id)).all();
    expect(left.map((n) => n.readAt && Math.round((now.getTime() - n.readAt.getTime()) / DAY)).sort()).toEqual([89, null]);
  });
});
