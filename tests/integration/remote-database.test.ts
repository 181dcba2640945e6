/**
 * The portal against a libSQL server (sqld, or Turso) instead of an embedded file, as
 * several app servers would share one: runs only when TEST_LIBSQL_URL names such a
 * server (and TEST_LIBSQL_AUTH_TOKEN its token, if it needs one). Use a database kept for
 * tests: the migrations are applied to it and test rows are added (each run's own, by a
 * unique marker). See docs/development.md.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { categories, posts } from '#db/schema.ts';
import { createSession, validateSessionToken } from '#lib/auth/sessions.ts';
import { migrateDatabase, migrationsCurrent, openDatabase, write } from '#lib/db.ts';
import { forumActor } from '#lib/forum/access.ts';
import { createReply, createThread } from '#lib/forum/posting.ts';
import { searchForum } from '#lib/forum/search.ts';
import { createTestUser } from './helpers.ts';

const url = process.env.TEST_LIBSQL_URL;
const open = () => openDatabase({ DATABASE_URL: url!, DATABASE_AUTH_TOKEN: process.env.TEST_LIBSQL_AUTH_TOKEN });

describe.skipIf(!url)('a libSQL server as the database (TEST_LIBSQL_URL)', () => {
  it('migrates, keeps sessions, posts and finds a reply, and takes writes from two app servers at once', async () => {
    const [a, b] = [await open(), await open()];
    try {
      await migrateDatabase(a);
      expect(await migrationsCurrent(b)).toBe(true);

      const marker = `remote${randomUUID().replaceAll('-', '')}`;
      const { user } = await createTestUser(a, { email: `${marker}@test.nmsn.test` });
      const { token } = await createSession(a, user.id, { mfaVerified: true });
      expect((await validateSessionToken(b, token)).user?.id).toBe(user.id);

      const [category] = await write(a, (tx) => tx.insert(categories).values({ slug: marker, name: `Category ${marker}`, description: 'A category for the remote database test.' }).returning());
      const actor = await forumActor(a, user.id);
      const thread = await createThread(a, actor, { categoryId: category!.id, title: `Remote test ${marker}`, body: 'The opening post of the remote test.' });
      if (!thread.ok) throw new Error(thread.message);
      // Two app servers reply at once, each through its own client and write queue (ten
      // members: the posting limit is six a minute each).
      const repliers = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => forumActor(a, (await createTestUser(a, { email: `${marker}-${i}@test.nmsn.test`, passwordHash: user.passwordHash })).user.id)),
      );
      const replies = await Promise.all(repliers.map((replier, i) => createReply(i % 2 ? a : b, replier, { threadId: thread.thread.id, body: `Reply ${i} mentions ${marker}kestrel.` })));
      expect(replies.filter((r) => !r.ok)).toEqual([]);
      const numbers = (await b.select({ n: posts.postNumber }).from(posts).where(eq(posts.threadId, thread.thread.id)).all()).map((r) => r.n).sort((x, y) => x - y);
      expect(numbers).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));

      const found = await searchForum(b, actor, { q: `${marker}kestrel`, page: 1 });
      expect(found.status === 'done' && found.total).toBe(1);
      expect((await b.all<{ ok: number }>(sql`SELECT 1 AS ok`))[0]!.ok).toBe(1);
    } finally {
      a.$client.close();
      b.$client.close();
    }
  });
});
