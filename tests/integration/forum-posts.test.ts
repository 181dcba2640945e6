/**
 * The forum's posting rules against a real libSQL file: who may start, reply, edit,
 * delete and report where (restricted categories and tampered ids are "not found" and
 * audited), locked threads, edit history, soft delete, read positions, exact counters
 * under 100 concurrent replies, the posting rate limit, the safeguarding hold and the
 * guide discussions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, count, eq } from 'drizzle-orm';
import { auditLog, categories, organisations, postRevisions, posts, reports, threads, type Category, type User } from '#db/schema.ts';
import { write } from '#lib/db.ts';
import { clearThrottle } from '#lib/auth/throttle.ts';
import { forumActor, type ForumActor } from '#lib/forum/access.ts';
import { findVisibleCategory, listCategories } from '#lib/forum/categories.ts';
import { findGuideThread, guideReplyCount, openOrCreateGuideThread, type GuideRef } from '#lib/forum/guide-threads.ts';
import { deletePost, editPost, findVisiblePost, postHistory, saveEdit } from '#lib/forum/post-edits.ts';
import { createReply, postReply, startThread } from '#lib/forum/posting.ts';
import { findPostLocation, listPosts } from '#lib/forum/posts.ts';
import { reportPost } from '#lib/forum/reports.ts';
import { findVisibleThread } from '#lib/forum/threads.ts';
import { firstUnread, lastReadPostNumber, markShownRead, quoteForReply } from '#lib/forum/thread-view.ts';
import { createTestUser, freshDatabase, openAndChiefsCategories, type TestDatabase } from './helpers.ts';

let t: TestDatabase;
let open: Category;
let restricted: Category;
let police: User;
let outsider: User;
let author: User;
let other: User;
let moderator: User;
const PASSWORD_HASH = 'not-a-real-hash'; // no sign-in here: skip argon2 for speed

const actor = (user: User): Promise<ForumActor> => forumActor(t.db, user.id);
/** Posting is limited to 6 a minute per member; tests that post more clear the count. */
const resetRate = (user: User) => clearThrottle(t.db, `forum-post:${user.id}`);
const audits = (action: string, outcome?: 'success' | 'refused') =>
  t.db
    .select()
    .from(auditLog)
    .where(outcome ? and(eq(auditLog.action, action), eq(auditLog.outcome, outcome)) : eq(auditLog.action, action))
    .all();

async function newThread(user: User, category: Category, title = 'A thread for the tests', body = 'The first post.') {
  await resetRate(user);
  const result = await startThread(t.db, await actor(user), { categoryId: category.id, title, body });
  if (!result.ok) throw new Error(`could not start a thread: ${result.message}`);
  return result;
}

async function reply(user: User, threadId: number, body = 'A reply.') {
  await resetRate(user);
  const result = await postReply(t.db, await actor(user), { threadId, body });
  if (!result.ok) throw new Error(`could not reply: ${result.message}`);
  return result.post;
}

beforeAll(async () => {
  t = await freshDatabase();
  [open, restricted] = await openAndChiefsCategories(t.db);
  const [force] = await write(t.db, (tx) => tx.insert(organisations).values({ name: 'Test police force', type: 'police-force', region: 'national' }).returning());
  police = (await createTestUser(t.db, { organisationId: force!.id, passwordHash: PASSWORD_HASH })).user;
  outsider = (await createTestUser(t.db, { passwordHash: PASSWORD_HASH })).user; // a charity: outside "PCCs and chiefs"
  author = (await createTestUser(t.db, { passwordHash: PASSWORD_HASH })).user;
  other = (await createTestUser(t.db, { passwordHash: PASSWORD_HASH })).user;
  moderator = (await createTestUser(t.db, { role: 'moderator', passwordHash: PASSWORD_HASH })).user;
});
afterAll(() => t.cleanup());

describe('restricted categories and tampered ids', () => {
  it('hides a restricted category from a member outside it, and shows it to members inside it and to moderators', async () => {
    const slugsFor = async (user: User) => (await listCategories(t.db, await actor(user))).map((s) => s.category.slug);
    expect(await slugsFor(outsider)).toEqual(['open']);
    expect(await slugsFor(police)).toEqual(['open', 'chiefs']);
    expect(await slugsFor(moderator)).toEqual(['open', 'chiefs']);
    expect(await findVisibleCategory(t.db, await actor(outsider), 'chiefs')).toBeNull();
  });

  it('refuses an outsider every action in a restricted category as "not found", and audits each refusal', async () => {
    const { thread, postId } = await newThread(police, restricted, 'Commissioning for next year');
    const me = await actor(outsider);
    await resetRate(outsider);
    const before = (await t.db.select({ n: count() }).from(posts).get())!.n;

    expect(await findVisibleThread(t.db, me, thread.id)).toBeNull();
    expect(await findPostLocation(t.db, me, postId)).toBeNull();
    expect(await findVisiblePost(t.db, me, postId)).toBeNull();
    expect(await quoteForReply(t.db, me, thread.id, 1)).toBeNull();
    const results = [
      await startThread(t.db, me, { categoryId: restricted.id, title: 'Sneaking in a thread', body: 'Hello' }),
      await postReply(t.db, me, { threadId: thread.id, body: 'Sneaking in a reply' }),
      await saveEdit(t.db, me, { postId, body: 'Changed by someone else' }),
      await editPost(t.db, me, { postId, body: 'Changed by someone else' }),
      await deletePost(t.db, me, { postId }),
      await reportPost(t.db, me, { postId, reason: 'Probing the ids' }),
    ];
    for (const result of results) expect(result).toMatchObject({ ok: false, reason: 'not-found' });

    // Ids that do not exist at all answer the same.
    for (const result of [
      await startThread(t.db, me, { categoryId: 999_999, title: 'No such category', body: 'Hello' }),
      await postReply(t.db, me, { threadId: 999_999, body: 'No such thread' }),
      await saveEdit(t.db, me, { postId: 999_999, body: 'No such post' }),
      await deletePost(t.db, me, { postId: 999_999 }),
      await reportPost(t.db, me, { postId: 999_999, reason: 'No such post' }),
    ]) {
      expect(result).toMatchObject({ ok: false, reason: 'not-found' });
    }

    expect((await t.db.select({ n: count() }).from(posts).get())!.n).toBe(before);
    const post = await t.db.select().from(posts).where(eq(posts.id, postId)).get();
    expect(post).toMatchObject({ raw: 'The first post.', version: 1, deletedAt: null });
    const refused = (await t.db.select().from(auditLog).where(and(eq(auditLog.actorId, outsider.id), eq(auditLog.outcome, 'refused'))).all()).map((a) => a.action);
    for (const action of ['forum-thread-create', 'forum-reply', 'forum-post-edit', 'forum-post-delete', 'forum-report']) expect(refused).toContain(action);
    for (const row of await t.db.select().from(auditLog).where(eq(auditLog.actorId, outsider.id)).all()) {
      expect(JSON.stringify(row.detail)).not.toContain('Sneaking');
    }
  });

  it('lets a police member and a moderator post in the restricted category', async () => {
    const { thread } = await newThread(police, restricted, 'Funding bids for next year');
    expect((await reply(moderator, thread.id)).postNumber).toBe(2);
  });
});

describe('locked threads', () => {
  it('refuse replies from members with a message, and take them from moderators', async () => {
    const { thread } = await newThread(author, open, 'A thread that gets locked');
    await write(t.db, (tx) => tx.update(threads).set({ locked: true }).where(eq(threads.id, thread.id)));
    await resetRate(other);
    const refused = await postReply(t.db, await actor(other), { threadId: thread.id, body: 'Too late?' });
    expect(refused).toMatchObject({ ok: false, reason: 'locked' });
    expect(refused.ok === false && refused.message).toMatch(/locked/);
    expect(await createReply(t.db, await actor(other), { threadId: thread.id, body: 'Too late?' })).toMatchObject({ ok: false, reason: 'locked' });
    expect((await reply(moderator, thread.id, 'Locking this, thanks all.')).postNumber).toBe(2);
    // Authors cannot change their posts in a locked thread either.
    expect(await editPost(t.db, await actor(author), { postId: (await firstPostId(thread.id))!, body: 'Edited late' })).toMatchObject({ ok: false, reason: 'locked' });
  });
});

async function firstPostId(threadId: number) {
  return (await t.db.select({ id: posts.id }).from(posts).where(and(eq(posts.threadId, threadId), eq(posts.postNumber, 1))).get())?.id;
}

describe('editing', () => {
  it('keeps every earlier version with who replaced it and when; only the author and moderators may edit', async () => {
    const { thread, postId } = await newThread(author, open, 'A thread to edit', 'Version one text.');
    const firstEdit = new Date('2026-05-01T10:00:00Z');
    const edited = await editPost(t.db, await actor(author), { postId, body: 'Version **two** text.', expectedVersion: 1 }, { now: firstEdit });
    expect(edited).toMatchObject({ ok: true, changed: true, post: { version: 2, raw: 'Version **two** text.', editedAt: firstEdit } });
    expect(edited.ok && edited.post.html).toContain('<strong>two</strong>');

    const [revision] = await t.db.select().from(postRevisions).where(eq(postRevisions.postId, postId)).all();
    expect(revision).toMatchObject({ version: 1, raw: 'Version one text.', editedBy: author.id, replacedAt: firstEdit });

    // Someone else: refused and audited, nothing changes.
    const refused = await saveEdit(t.db, await actor(other), { postId, body: 'Not mine to change' });
    expect(refused).toMatchObject({ ok: false, reason: 'forbidden', message: 'You can only edit your own posts.' });
    expect(await audits('forum-post-edit', 'refused')).toEqual(
      expect.arrayContaining([expect.objectContaining({ actorId: other.id, targetType: 'post', targetId: String(postId) })]),
    );

    // A stale form (it was opened at version 1) cannot overwrite version 2.
    expect(await editPost(t.db, await actor(author), { postId, body: 'From an old tab', expectedVersion: 1 })).toMatchObject({ ok: false, reason: 'conflict', field: 'body' });
    // The same text again is not a new version.
    expect(await editPost(t.db, await actor(author), { postId, body: 'Version **two** text.' })).toMatchObject({ ok: true, changed: false, post: { version: 2 } });

    // A moderator may edit any post.
    const modEdit = new Date('2026-05-02T09:30:00Z');
    expect(await editPost(t.db, await actor(moderator), { postId, body: 'Version three, tidied by a moderator.' }, { now: modEdit })).toMatchObject({ ok: true, post: { version: 3 } });

    const found = (await findVisiblePost(t.db, await actor(other), postId))!;
    const history = await postHistory(t.db, found.post, found.authorName);
    expect(history.map((v) => [v.version, v.raw, v.writtenById, v.writtenAt.toISOString(), v.current])).toEqual([
      [1, 'Version one text.', author.id, found.post.createdAt.toISOString(), false],
      [2, 'Version **two** text.', author.id, firstEdit.toISOString(), false],
      [3, 'Version three, tidied by a moderator.', moderator.id, modEdit.toISOString(), true],
    ]);
    expect(history[1]!.html).toContain('<strong>two</strong>');
    expect(history[2]!.writtenBy).toBe(moderator.displayName);
    expect(thread.id).toBe(found.thread.id);
    const modAudit = (await audits('forum-post-edit', 'success')).find((a) => a.actorId === moderator.id);
    expect(modAudit?.detail).toEqual({ version: 3, byModerator: true });
  });
});

describe('deleting', () => {
  it('is soft, by the author (or a moderator), lowers the reply count once, and ends editing', async () => {
    const { thread } = await newThread(author, open, 'A thread with a deleted reply');
    const post = await reply(author, thread.id, 'I should not have said this.');
    expect((await t.db.select().from(threads).where(eq(threads.id, thread.id)).get())!.replyCount).toBe(1);

    expect(await deletePost(t.db, await actor(other), { postId: post.id })).toMatchObject({ ok: false, reason: 'forbidden' });
    const deleted = await deletePost(t.db, await actor(author), { postId: post.id }, { now: new Date('2026-05-03T12:00:00Z') });
    expect(deleted).toMatchObject({ ok: true, post: { deletedBy: author.id } });
    expect(await deletePost(t.db, await actor(author), { postId: post.id })).toMatchObject({ ok: true });

    const row = (await t.db.select().from(posts).where(eq(posts.id, post.id)).get())!;
    expect(row.deletedAt?.toISOString()).toBe('2026-05-03T12:00:00.000Z');
    expect(row.raw).toBe('I should not have said this.'); // kept, for moderators and the history
    const after = (await t.db.select().from(threads).where(eq(threads.id, thread.id)).get())!;
    expect(after).toMatchObject({ replyCount: 0, highestPostNumber: 2 });
    expect(await editPost(t.db, await actor(author), { postId: post.id, body: 'Second thoughts' })).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(await quoteForReply(t.db, await actor(other), thread.id, 2)).toBeNull();
  });
});

describe('reading', () => {
  it('moves a member’s read position forward only', async () => {
    const { thread } = await newThread(author, open, 'A thread to read');
    for (let i = 0; i < 4; i += 1) await reply(other, thread.id);
    const reader = moderator;
    expect(await lastReadPostNumber(t.db, reader.id, thread.id)).toBe(0);
    const current = (await t.db.select().from(threads).where(eq(threads.id, thread.id)).get())!;
    expect(firstUnread(current, 0)).toBe(1);
    await markShownRead(t.db, reader.id, thread.id, 0, 4);
    expect(await lastReadPostNumber(t.db, reader.id, thread.id)).toBe(4);
    await markShownRead(t.db, reader.id, thread.id, 0, 2); // an older page viewed later
    expect(await lastReadPostNumber(t.db, reader.id, thread.id)).toBe(4);
    expect(firstUnread(current, 4)).toBe(5);
    expect(firstUnread(current, 5)).toBeNull();
    const summary = (await listCategories(t.db, await actor(reader))).find((s) => s.category.id === open.id)!;
    expect(summary.unreadCount).toBeGreaterThan(0);
  });

  it('quotes a post into a reply with who wrote it and a link', async () => {
    const { thread } = await newThread(author, open, 'A thread to quote', 'First line\n\nSecond *line*');
    const quote = await quoteForReply(t.db, await actor(other), thread.id, 1);
    expect(quote).toMatch(/^Test member \d+ wrote in \[post 1\]\(\/forum\/p\/\d+\):\n\n> First line\n>\n> Second \*line\*\n\n$/);
    expect(await quoteForReply(t.db, await actor(other), thread.id, 99)).toBeNull();
  });
});

describe('concurrency', () => {
  it('stores 100 simultaneous replies to one thread as posts 2..101 with an exact reply count', async () => {
    // 100 distinct members, one reply each: each stays within the posting limit, so the throttle is untouched.
    // createTestUser reads its counter inside its write, so members are made one after another.
    const repliers: User[] = [];
    for (let i = 0; i < 100; i += 1) repliers.push((await createTestUser(t.db, { passwordHash: PASSWORD_HASH })).user);
    const { thread } = await newThread(author, open, 'A busy thread');
    const results = await Promise.all(repliers.map(async (user, i) => createReply(t.db, await actor(user), { threadId: thread.id, body: `Reply ${i}` })));
    expect(results.every((r) => r.ok)).toBe(true);
    const numbers = (await t.db.select({ n: posts.postNumber }).from(posts).where(eq(posts.threadId, thread.id)).orderBy(asc(posts.postNumber)).all()).map((r) => r.n);
    expect(numbers).toEqual(Array.from({ length: 101 }, (_, i) => i + 1));
    const after = (await t.db.select().from(threads).where(eq(threads.id, thread.id)).get())!;
    expect(after).toMatchObject({ replyCount: 100, highestPostNumber: 101 });
    expect((await listPosts(t.db, thread.id, 6)).map((v) => v.post.postNumber)).toEqual([101]);
  });
});

describe('posting rate limit', () => {
  it('refuses the 7th post in a minute with how long to wait', async () => {
    const poster = (await createTestUser(t.db, { passwordHash: PASSWORD_HASH })).user;
    const me = await actor(poster);
    const start = await startThread(t.db, me, { categoryId: open.id, title: 'Rate limit thread', body: 'One' });
    if (!start.ok) throw new Error('start');
    for (let i = 2; i <= 6; i += 1) expect((await postReply(t.db, me, { threadId: start.thread.id, body: `Post ${i}` })).ok).toBe(true);
    const seventh = await postReply(t.db, me, { threadId: start.thread.id, body: 'Post 7' });
    expect(seventh).toMatchObject({ ok: false, reason: 'rate-limited' });
    if (seventh.ok || seventh.reason !== 'rate-limited') throw new Error('expected a rate limit');
    expect(seventh.retryAfterSeconds).toBeGreaterThan(0);
    expect(seventh.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(seventh.message).toMatch(/posting too quickly/);
    expect((await t.db.select().from(threads).where(eq(threads.id, start.thread.id)).get())!.highestPostNumber).toBe(6);
  });
});

describe('safeguarding check', () => {
  it('holds a post that looks like it has personal data until the author confirms, then audits the kinds, never the text', async () => {
    const me = await actor(other);
    await resetRate(other);
    const body = 'She can be reached on 07700 900123, DOB 12/03/1998.';
    const held = await startThread(t.db, me, { categoryId: open.id, title: 'A worrying case', body });
    expect(held).toMatchObject({ ok: false, reason: 'safeguarding' });
    if (held.ok || !('findings' in held)) throw new Error('expected a hold');
    expect(held.findings.map((f) => f.kind).sort()).toEqual(['date-of-birth', 'phone-number']);
    expect(await t.db.select().from(threads).where(eq(threads.title, 'A worrying case')).get()).toBeUndefined();

    const saved = await startThread(t.db, me, { categoryId: open.id, title: 'A worrying case', body, safeguardingConfirmed: true });
    expect(saved.ok).toBe(true);
    const [entry] = (await audits('safeguarding-confirm')).filter((a) => a.actorId === other.id);
    expect(entry).toMatchObject({ outcome: 'success', targetType: 'post', targetId: String(saved.ok && saved.postId) });
    expect(entry!.detail).toMatchObject({ kinds: ['phone-number', 'date-of-birth'] });
    expect(JSON.stringify(entry)).not.toMatch(/07700|1998|reached/);

    // Replies and edits are checked too.
    if (!saved.ok) throw new Error('saved');
    expect(await postReply(t.db, me, { threadId: saved.thread.id, body: 'Crime reference 43/123456/24' })).toMatchObject({ ok: false, reason: 'safeguarding' });
    expect(await saveEdit(t.db, me, { postId: saved.postId, body: 'Now at 12 Acacia Avenue, Leeds LS1 4AB' })).toMatchObject({ ok: false, reason: 'safeguarding' });
    // An edit by someone else is refused before any warning.
    expect(await saveEdit(t.db, await actor(author), { postId: saved.postId, body: 'DOB 12/03/1998' })).toMatchObject({ ok: false, reason: 'forbidden' });
  });
});

describe('reports', () => {
  it('records one open report per member per post, with the reason; not for your own post', async () => {
    const { thread, postId } = await newThread(author, open, 'A thread to report');
    const first = await reportPost(t.db, await actor(other), { postId, reason: 'This names a victim.' });
    expect(first).toMatchObject({ ok: true, alreadyReported: false, report: { postId, reporterId: other.id, reason: 'This names a victim.' } });
    expect(await reportPost(t.db, await actor(other), { postId, reason: 'Again' })).toMatchObject({ ok: true, alreadyReported: true });
    expect(await reportPost(t.db, await actor(author), { postId, reason: 'My own' })).toMatchObject({ ok: false, reason: 'invalid', field: 'reason' });
    expect((await t.db.select().from(reports).where(eq(reports.postId, postId)).all()).length).toBe(1);
    const entry = (await audits('forum-report', 'success')).find((a) => a.targetId === String(postId));
    expect(JSON.stringify(entry)).not.toContain('names a victim');

    // A hidden post cannot be reported (or seen) by members.
    await write(t.db, (tx) => tx.update(posts).set({ hiddenAt: new Date(), hiddenReason: 'test' }).where(eq(posts.id, postId)));
    expect(await reportPost(t.db, await actor(moderator), { postId, reason: 'Still here' })).toMatchObject({ ok: true });
    const third = (await createTestUser(t.db, { passwordHash: PASSWORD_HASH })).user;
    expect(await reportPost(t.db, await actor(third), { postId, reason: 'Hidden one' })).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await quoteForReply(t.db, await actor(third), thread.id, 1)).toBeNull();
  });
});

describe('guide discussions', () => {
  const guide: GuideRef = { key: 'guides/working-with-interpreters', title: 'Working with interpreters', summary: 'How to brief an interpreter.', url: '/guides/working-with-interpreters' };

  it('opens the same thread every time, even when members start it at once', async () => {
    const first = await openOrCreateGuideThread(t.db, await actor(author), guide);
    expect(first).toMatchObject({ ok: true, created: true, thread: { guideKey: guide.key, title: guide.title } });
    const again = await openOrCreateGuideThread(t.db, await actor(other), guide);
    expect(again).toMatchObject({ ok: true, created: false });
    expect(again.ok && first.ok && again.thread.id === first.thread.id).toBe(true);
    const category = (await t.db.select().from(categories).where(eq(categories.slug, 'practice-guides')).get())!;
    expect(first.ok && first.thread.categoryId).toBe(category.id);
    const opening = await t.db.select().from(posts).where(eq(posts.threadId, first.ok ? first.thread.id : 0)).get();
    expect(opening?.html).toContain('href="/guides/working-with-interpreters"');

    const other2 = { ...guide, key: 'guides/safeguarding-partnerships', title: 'Safeguarding partnerships', url: '/guides/safeguarding-partnerships' };
    const members: User[] = [];
    for (let i = 0; i < 5; i += 1) members.push((await createTestUser(t.db, { passwordHash: PASSWORD_HASH })).user);
    const results = await Promise.all(members.map(async (m) => openOrCreateGuideThread(t.db, await actor(m), other2)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => r.ok && r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.ok && r.thread.id)).size).toBe(1);
    expect((await t.db.select({ n: count() }).from(threads).where(eq(threads.guideKey, other2.key)).get())!.n).toBe(1);

    expect(await guideReplyCount(t.db, guide.key)).toMatchObject({ replies: 0 });
    if (first.ok) await reply(other, first.thread.id, 'We used the checklist.');
    expect(await guideReplyCount(t.db, guide.key)).toMatchObject({ replies: 1 });
    expect((await findGuideThread(t.db, await actor(other), guide.key))?.id).toBe(first.ok && first.thread.id);
    expect(await guideReplyCount(t.db, 'guides/no-such-guide')).toBeNull();
  });
});
