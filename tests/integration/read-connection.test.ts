/**
 * Typed selects on a read connection of their own (src/lib/read-connection.ts), against a
 * real libSQL file: they are served there (SQLite's per-connection `total_changes()` shows
 * which connection answered), a transaction's selects stay in the transaction, the rows
 * are what the client's path gives (dates, booleans, blobs, nulls, joins, relational
 * queries), writes are seen at once, integers beyond 2^53 are refused as the client
 * refuses them, and closing the client closes the connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@libsql/client';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { organisations, sessions, users } from '#db/schema.ts';
import * as schema from '#db/schema.ts';
import { openDatabase, write } from '#lib/db.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { createTestUser, freshDatabase, type TestDatabase } from './helpers.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(() => t.cleanup());

/** How many rows the connection answering this select has ever changed. */
const changesSeen = (db: Pick<TestDatabase['db'], 'select'>) => db.select({ n: sql<number>`total_changes()` }).from(organisations).limit(1).get();

describe('where typed selects run', () => {
  it('on a connection that has written nothing, while the client wrote the rows it reads', async () => {
    await createTestUser(t.db);
    expect(await changesSeen(t.db)).toEqual({ n: 0 });
    // The client's own connection, asked the same, wrote the member and their organisation.
    const viaClient = await t.db.$client.execute('SELECT total_changes() AS n');
    expect(Number(viaClient.rows[0]!.n)).toBeGreaterThan(0);
  });

  it('inside a transaction: on its connection, seeing its own writes before the commit', async () => {
    await write(t.db, async (tx) => {
      await tx.insert(organisations).values({ name: 'Read-connection Trust', type: 'charity', region: 'london' });
      expect((await changesSeen(tx))!.n).toBeGreaterThan(0);
      expect(await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.name, 'Read-connection Trust')).get()).toBeDefined();
    });
  });

  it('sees what the client committed at once', async () => {
    await write(t.db, (tx) => tx.update(organisations).set({ region: 'wales' }).where(eq(organisations.name, 'Read-connection Trust')));
    expect(await t.db.select({ region: organisations.region }).from(organisations).where(eq(organisations.name, 'Read-connection Trust')).get()).toEqual({ region: 'wales' });
  });
});

describe('what they answer', () => {
  it('the same rows as the client gives, for typed, joined and relational queries', async () => {
    const { user } = await createTestUser(t.db, { displayName: 'Row Shape' });
    await createSession(t.db, user.id);
    const plain = drizzle(createClient({ url: t.url }), { schema });
    try {
      const typed = (db: typeof plain) => db.select().from(users).where(eq(users.id, user.id)).get();
      const joined = (db: typeof plain) =>
        db.select({ session: sessions, name: users.displayName, demo: organisations.isDemo }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).innerJoin(organisations, eq(organisations.id, users.organisationId)).where(eq(sessions.userId, user.id)).all();
      const relational = (db: typeof plain) => db.query.users.findMany({ where: eq(users.organisationId, user.organisationId) });

      expect(await changesSeen(t.db)).toEqual({ n: 0 }); // these go to the read connection
      const fast = await typed(t.db);
      expect(fast).toEqual(await typed(plain));
      expect(fast!.createdAt).toBeInstanceOf(Date);
      const [session] = await joined(t.db);
      expect(session).toEqual((await joined(plain))[0]);
      expect(Buffer.isBuffer(session!.session.secretHash)).toBe(true);
      expect(typeof session!.demo).toBe('boolean');
      expect(await relational(t.db)).toEqual(await relational(plain));
    } finally {
      plain.$client.close();
    }
  });

  it('refuses an integer beyond 2^53, as the client does', async () => {
    await t.db.$client.execute('CREATE TABLE big (n INTEGER)');
    await t.db.$client.execute('INSERT INTO big VALUES (9007199254740993)');
    await expect(t.db.select({ n: sql<number>`n` }).from(sql`big`).get()).rejects.toMatchObject({ cause: expect.any(RangeError) });
    await t.db.$client.execute('DROP TABLE big');
  });
});

describe('closing', () => {
  it('closing the client closes the read connection: a select then fails as the client reports it', async () => {
    const other = await openDatabase({ DATABASE_URL: t.url });
    expect(await other.select({ id: users.id }).from(users).limit(1).get()).toBeDefined();
    other.$client.close();
    await expect(other.select({ id: users.id }).from(users).limit(1).get()).rejects.toMatchObject({ cause: { code: 'CLIENT_CLOSED' } });
  });
});
