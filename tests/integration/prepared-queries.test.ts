/**
 * The hot queries of thread and category pages are built once per database handle (drizzle's
 * `.prepare()` with placeholders: `preparedQuery` in src/lib/db.ts). Against a real
 * libSQL file, each answers exactly what the query it replaced answered (written out
 * here as it was), for members inside and outside a restricted category and for a
 * moderator; a second database gets its own statement; inside a transaction the query
 * sees the transaction's own writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, count, desc, eq, gt, lte } from 'drizzle-orm';
import { categories, categorySubscriptions, notifications, organisations, posts, readStates, threadSubscriptions, threads, users, type Category, type Thread, type User } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { createSession, validateSessionToken } from '#lib/auth/sessions.ts';
import { forumActor, type ForumActor } from '#lib/forum/access.ts';
import { findVisibleCategory } from '#lib/forum/categories.ts';
import { POSTS_PER_PAGE, THREADS_PER_PAGE } from '#lib/forum/limits.ts';
import { canSeeThread, visibleThreadsSql } from '#lib/forum/permissions.ts';
import { countUnreadNotifications, listNotifications } from '#lib/forum/notifications.ts';
import { listPosts } from '#lib/forum/posts.ts';
import { findVisibleThread, listThreads } from '#lib/forum/threads.ts';
import { openThread } from '#lib/forum/thread-view.ts';
import { createTestUser, freshDatabase, openAndChiefsCategories, type TestDatabase } from './helpers.ts';

const PASSWORD_HASH = 'not-a-real-hash'; // no sign-in here: skip argon2
let t: TestDatabase;
let open: Category;
let restricted: Category;
let people: Record<'author' | 'reader' | 'police' | 'moderator' | 'leaver', User>;
let openThreadRow: Thread;
let restrictedThread: Thread;
let hiddenThread: Thread;

const actor = (user: User): Promise<ForumActor> => forumActor(t.db, user.id);

/** A thread of `count` posts by turns of `authors`, written directly: the queries are under test here, not posting. */
async function seedThread(db: Database, category: Category, authors: User[], count: number, fields: Partial<typeof threads.$inferInsert> = {}): Promise<Thread> {
  return write(db, async (tx) => {
    const start = Date.parse('2026-03-01T09:00:00Z');
    const [thread] = await tx
      .insert(threads)
      .values({ categoryId: category.id, title: `A thread in ${category.name}`, slug: 'a-thread', authorId: authors[0]!.id, replyCount: count - 1, highestPostNumber: count, bumpedAt: new Date(start + count * 60_000), ...fields })
      .returning();
    await tx.insert(posts).values(
      Array.from({ length: count }, (_, i) => ({
        threadId: thread!.id,
        postNumber: i + 1,
        authorId: authors[i % authors.length]!.id,
        raw: `Post **${i + 1}**`,
        html: `<p>Post <strong>${i + 1}</strong></p>`,
        createdAt: new Date(start + i * 60_000),
        replyToPostNumber: i % 5 === 4 ? i - 1 : null,
        editedAt: i === 2 ? new Date(start + 999_999) : null,
        version: i === 2 ? 2 : 1,
        hiddenAt: i === 6 ? new Date(start + 5_000) : null,
        hiddenReason: i === 6 ? 'Personal data' : null,
        deletedAt: i === 8 ? new Date(start + 6_000) : null,
        deletedBy: i === 8 ? authors[i % authors.length]!.id : null,
      })),
    );
    return thread!;
  });
}

beforeAll(async () => {
  t = await freshDatabase();
  [open, restricted] = await openAndChiefsCategories(t.db);
  const [force] = await write(t.db, (tx) => tx.insert(organisations).values({ name: 'A police force', type: 'police-force', region: 'national' }).returning());
  const make = async (fields: Parameters<typeof createTestUser>[1] = {}) => (await createTestUser(t.db, { passwordHash: PASSWORD_HASH, ...fields })).user;
  people = {
    author: await make(),
    reader: await make(),
    police: await make({ organisationId: force!.id }),
    moderator: await make({ role: 'moderator' }),
    leaver: await make(),
  };
  openThreadRow = await seedThread(t.db, open, [people.author, people.leaver, people.reader], POSTS_PER_PAGE + 5);
  restrictedThread = await seedThread(t.db, restricted, [people.police], 3);
  hiddenThread = await seedThread(t.db, open, [people.author], 2, { hiddenAt: new Date(), hiddenReason: 'Spam' });
  // A former member: their posts stay, with no author.
  await write(t.db, (tx) => tx.delete(users).where(eq(users.id, people.leaver.id)));
  await write(t.db, async (tx) => {
    await tx.insert(readStates).values({ userId: people.reader.id, threadId: openThreadRow.id, lastReadPostNumber: 7 });
    await tx.insert(threadSubscriptions).values({ userId: people.reader.id, threadId: openThreadRow.id, level: 'muted' });
    await tx.insert(categorySubscriptions).values([
      { userId: people.reader.id, categoryId: open.id, level: 'watching' },
      { userId: people.police.id, categoryId: open.id, level: 'watching' },
    ]);
    // Notifications about visible, hidden and deleted posts, in open and restricted threads.
    const about = async (thread: Thread, postNumber: number) => (await tx.select({ id: posts.id }).from(posts).where(and(eq(posts.threadId, thread.id), eq(posts.postNumber, postNumber))).get())!.id;
    for (const user of [people.reader, people.police, people.moderator]) {
      await tx.insert(notifications).values([
        { userId: user.id, kind: 'reply', threadId: openThreadRow.id, postId: await about(openThreadRow, 2) },
        { userId: user.id, kind: 'reply', threadId: openThreadRow.id, postId: await about(openThreadRow, 7) }, // hidden post
        { userId: user.id, kind: 'reply', threadId: openThreadRow.id, postId: await about(openThreadRow, 9) }, // deleted post
        { userId: user.id, kind: 'mention', threadId: restrictedThread.id, postId: await about(restrictedThread, 1) },
        { userId: user.id, kind: 'watching', threadId: hiddenThread.id, postId: await about(hiddenThread, 2) },
        { userId: user.id, kind: 'reply', threadId: openThreadRow.id, postId: await about(openThreadRow, 3), readAt: new Date() },
      ]);
    }
  });
});
afterAll(() => t.cleanup());

describe('prepared queries answer what the queries they replaced answered', () => {
  it('a page of posts: the same rows and authors, without the Markdown', async () => {
    for (const page of [1, 2, 3]) {
      const first = (page - 1) * POSTS_PER_PAGE + 1;
      const before = await t.db
        .select({ post: posts, authorName: users.displayName })
        .from(posts)
        .leftJoin(users, eq(users.id, posts.authorId))
        .where(and(eq(posts.threadId, openThreadRow.id), gt(posts.postNumber, first - 1), lte(posts.postNumber, first + POSTS_PER_PAGE - 1)))
        .orderBy(asc(posts.postNumber))
        .all();
      const now = await listPosts(t.db, openThreadRow.id, page);
      expect(now).toEqual(before.map(({ post: { raw: _raw, isDemo: _isDemo, ...post }, authorName }) => ({ post, authorName })));
      // Twice: the second call runs the statement built by the first.
      expect(await listPosts(t.db, openThreadRow.id, page)).toEqual(now);
    }
    const shown = await listPosts(t.db, openThreadRow.id, 1);
    expect(shown).toHaveLength(POSTS_PER_PAGE);
    expect(shown[1]!.authorName).toBeNull(); // the former member
    expect(shown[2]!.post.editedAt).toBeInstanceOf(Date);
    expect(await listPosts(t.db, openThreadRow.id, 2)).toHaveLength(5);
  });

  it('a visible thread, for each kind of member', async () => {
    for (const user of [people.reader, people.police, people.moderator]) {
      const who = await actor(user);
      for (const thread of [openThreadRow, restrictedThread, hiddenThread]) {
        const row = (await t.db.select({ thread: threads, category: categories }).from(threads).innerJoin(categories, eq(categories.id, threads.categoryId)).where(eq(threads.id, thread.id)).get())!;
        expect(await findVisibleThread(t.db, who, thread.id)).toEqual(canSeeThread(who, row.thread, row.category) ? row : null);
      }
      expect(await findVisibleThread(t.db, who, 999_999)).toBeNull();
    }
    expect(await findVisibleThread(t.db, await actor(people.reader), restrictedThread.id)).toBeNull();
    expect(await findVisibleThread(t.db, await actor(people.police), restrictedThread.id)).not.toBeNull();
    expect(await findVisibleThread(t.db, await actor(people.moderator), hiddenThread.id)).not.toBeNull();
  });

  it('a thread page’s thread with the member’s read position and level, as four queries gave them', async () => {
    for (const user of [people.reader, people.police, people.moderator, people.author]) {
      const who = await actor(user);
      for (const thread of [openThreadRow, restrictedThread, hiddenThread]) {
        const visible = await findVisibleThread(t.db, who, thread.id);
        const opened = await openThread(t.db, who, thread.id);
        if (!visible) {
          expect(opened).toBeNull();
          continue;
        }
        const read = await t.db.select().from(readStates).where(and(eq(readStates.userId, user.id), eq(readStates.threadId, thread.id))).get();
        const own = await t.db.select().from(threadSubscriptions).where(and(eq(threadSubscriptions.userId, user.id), eq(threadSubscriptions.threadId, thread.id))).get();
        const inCategory = await t.db.select().from(categorySubscriptions).where(and(eq(categorySubscriptions.userId, user.id), eq(categorySubscriptions.categoryId, visible.category.id))).get();
        expect(opened).toEqual({ ...visible, lastRead: read?.lastReadPostNumber ?? 0, level: own?.level ?? inCategory?.level ?? 'normal' });
      }
    }
    // The cases above, spelt out: a muted thread in a watched category stays muted; no row is "normal".
    expect(await openThread(t.db, await actor(people.reader), openThreadRow.id)).toMatchObject({ lastRead: 7, level: 'muted' });
    expect(await openThread(t.db, await actor(people.police), openThreadRow.id)).toMatchObject({ lastRead: 0, level: 'watching' });
    expect(await openThread(t.db, await actor(people.author), openThreadRow.id)).toMatchObject({ lastRead: 0, level: 'normal' });
  });

  it('a category page’s threads and count, and the category by its address', async () => {
    for (const user of [people.reader, people.moderator]) {
      const who = await actor(user);
      const visible = and(eq(threads.categoryId, open.id), visibleThreadsSql(who));
      const total = (await t.db.select({ total: count() }).from(threads).where(visible).get())!.total;
      const before = await t.db
        .select({ thread: threads, authorName: users.displayName, lastReadPostNumber: readStates.lastReadPostNumber })
        .from(threads)
        .leftJoin(users, eq(users.id, threads.authorId))
        .leftJoin(readStates, and(eq(readStates.threadId, threads.id), eq(readStates.userId, who.id)))
        .where(visible)
        .orderBy(desc(threads.pinned), desc(threads.bumpedAt), desc(threads.id))
        .limit(THREADS_PER_PAGE)
        .all();
      expect(await listThreads(t.db, who, open, 1)).toEqual({ items: before, total, pages: 1 });
      expect((await listThreads(t.db, who, open, 2)).items).toEqual([]);
      expect(await findVisibleCategory(t.db, who, 'open')).toEqual(open);
      expect(await findVisibleCategory(t.db, who, 'nowhere')).toBeNull();
    }
    // The hidden thread is listed for the moderator only.
    expect((await listThreads(t.db, await actor(people.reader), open, 1)).total).toBe(1);
    expect((await listThreads(t.db, await actor(people.moderator), open, 1)).total).toBe(2);
    expect(await findVisibleCategory(t.db, await actor(people.reader), 'chiefs')).toBeNull();
    expect(await findVisibleCategory(t.db, await actor(people.police), 'chiefs')).toEqual(restricted);
  });

  it('the unread notifications count, for members and moderators, as the list counts them', async () => {
    const counts: Record<string, number> = {};
    for (const user of [people.reader, people.police, people.moderator]) {
      const fromList = (await listNotifications(t.db, await actor(user))).unread;
      counts[user.id === people.moderator.id ? 'moderator' : user.id === people.police.id ? 'police' : 'reader'] = fromList;
      expect(await countUnreadNotifications(t.db, user)).toBe(fromList);
    }
    // Visible post only; plus the restricted thread's for the police member; plus the hidden ones for the moderator.
    expect(counts).toEqual({ reader: 1, police: 2, moderator: 4 });
  });

  it('the session with its member: the same columns as before', async () => {
    const { token, session } = await createSession(t.db, people.police.id, { mfaVerified: true });
    const validated = await validateSessionToken(t.db, token);
    expect(validated.session).toEqual(session);
    expect(validated.user).toEqual({ id: people.police.id, email: people.police.email, displayName: people.police.displayName, role: 'member', organisationId: people.police.organisationId, organisationType: 'police-force' });
    expect((await validateSessionToken(t.db, `${session.id}.wrong-secret`)).session).toBeNull();
  });

  it('another database gets its own statement, and a transaction sees its own writes', async () => {
    const other = await freshDatabase();
    try {
      const { user } = await createTestUser(other.db, { passwordHash: PASSWORD_HASH });
      const [category] = await write(other.db, (tx) => tx.insert(categories).values({ slug: 'other', name: 'Other', description: 'Another database' }).returning());
      const thread = await seedThread(other.db, category!, [user], 2);
      // Same thread id in both files (both start at 1): each handle reads its own file.
      expect(thread.id).toBe(openThreadRow.id);
      expect((await listPosts(other.db, thread.id, 1)).map((v) => v.authorName)).toEqual([user.displayName, user.displayName]);
      expect(await listPosts(t.db, openThreadRow.id, 1)).toHaveLength(POSTS_PER_PAGE);
    } finally {
      other.cleanup();
    }

    const who = await actor(people.author);
    let inside: Awaited<ReturnType<typeof openThread>> = null;
    const rolledBack = await write(t.db, async (tx) => {
      await tx.insert(readStates).values({ userId: people.author.id, threadId: openThreadRow.id, lastReadPostNumber: 12 });
      inside = await openThread(tx, who, openThreadRow.id);
      tx.rollback();
    }).catch((error: unknown) => error);
    expect(rolledBack).toBeInstanceOf(Error);
    expect(inside).toMatchObject({ lastRead: 12 });
    // Rolled back: the handle's statement sees no read position.
    expect(await openThread(t.db, who, openThreadRow.id)).toMatchObject({ lastRead: 0 });
  });
});
