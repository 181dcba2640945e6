/**
 * Moderator actions against a real libSQL file: each changes what it should and writes an
 * audit row (who, what, target, address, outcome); a non-moderator is refused, nothing
 * changes and the refusal is audited; moving a thread into a restricted category hides it
 * from outsiders; members get a placeholder for a hidden post; the reports queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { auditLog, categories, organisations, posts, reports, threads, type Category, type OrganisationType, type Role } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { forumActor } from '#lib/forum/access.ts';
import { createReply, createThread } from '#lib/forum/posting.ts';
import { findVisibleThread, listThreads } from '#lib/forum/threads.ts';
import { listPosts } from '#lib/forum/posts.ts';
import { listCategories } from '#lib/forum/categories.ts';
import { searchForum } from '#lib/forum/search.ts';
import {
  hidePost,
  hideThread,
  listReports,
  moderationAuditActions as A,
  moveThread,
  presentPosts,
  resolveReport,
  restorePost,
  restoreThread,
  setLocked,
  setPinned,
  type ModerationActor,
} from '#lib/forum/moderation.ts';
import { deletePost } from '#lib/forum/post-edits.ts';
import { createTestUser, freshDatabase, type TestDatabase } from './helpers.ts';

let t: TestDatabase;
let db: Database;
let open: Category;
let restricted: Category;
let moderator: ModerationActor;
let admin: ModerationActor;
let author: ModerationActor;
let outsider: ModerationActor;
let insider: ModerationActor;
let orgCount = 0;

async function person(role: Role, type: OrganisationType = 'charity', ip = '198.51.100.7'): Promise<ModerationActor> {
  const [org] = await write(db, (tx) => tx.insert(organisations).values({ name: `Org ${++orgCount}`, type, region: 'national' }).returning());
  const { user } = await createTestUser(db, { role, organisationId: org!.id, passwordHash: 'not-a-real-hash' });
  return { ...(await forumActor(db, user.id)), ip };
}

/** A thread by a new member each time, so the posting limit (6 a minute) never interferes. */
async function newThread(title = 'A thread about referrals', category = open) {
  const by = await person('member');
  const result = await createThread(db, by, { categoryId: category.id, title, body: 'The opening post about referrals.' });
  if (!result.ok) throw new Error(result.message);
  return result.thread;
}

async function lastAudit(action: string) {
  return db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id)).limit(1).get();
}

async function auditCount() {
  return (await db.select().from(auditLog).all()).length;
}

const threadRow = (id: number) => db.select().from(threads).where(eq(threads.id, id)).get();

beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
  [open, restricted] = await write(db, (tx) =>
    tx
      .insert(categories)
      .values([
        { slug: 'general', name: 'General', description: 'For everyone', position: 1 },
        { slug: 'pccs-and-chiefs', name: 'PCCs and chiefs only', description: 'Restricted', position: 2, allowedOrganisationTypes: ['opcc', 'police-force'] },
      ])
      .returning(),
  );
  moderator = await person('moderator', 'charity', '203.0.113.9');
  admin = await person('admin');
  author = await person('member');
  outsider = await person('member', 'housing', '192.0.2.44');
  insider = await person('member', 'opcc');
});
afterAll(() => t.cleanup());

describe('pin and lock', () => {
  it('a moderator pins and unpins a thread; each is audited with who, target and address', async () => {
    const thread = await newThread();
    const pinned = await setPinned(db, moderator, { threadId: thread.id, pinned: true });
    expect(pinned.ok).toBe(true);
    expect((await threadRow(thread.id))!.pinned).toBe(true);
    expect(await lastAudit(A.pin)).toMatchObject({ actorId: moderator.id, outcome: 'success', targetType: 'thread', targetId: String(thread.id), ip: '203.0.113.9' });
    const listed = await listThreads(db, outsider, open, 1);
    expect(listed.items[0]!.thread.id).toBe(thread.id);

    expect(await setPinned(db, moderator, { threadId: thread.id, pinned: false })).toMatchObject({ ok: true });
    expect((await threadRow(thread.id))!.pinned).toBe(false);
    expect(await lastAudit(A.unpin)).toMatchObject({ actorId: moderator.id, outcome: 'success', targetId: String(thread.id) });
  });

  it('a no-op changes nothing and says so, without an audit row', async () => {
    const thread = await newThread();
    const before = await auditCount();
    expect(await setPinned(db, moderator, { threadId: thread.id, pinned: false })).toMatchObject({ ok: false, reason: 'unchanged', message: 'This thread is not pinned.' });
    expect(await auditCount()).toBe(before);
  });

  it('a locked thread takes no replies from members, but still from moderators', async () => {
    const thread = await newThread();
    expect(await setLocked(db, moderator, { threadId: thread.id, locked: true })).toMatchObject({ ok: true });
    expect(await lastAudit(A.lock)).toMatchObject({ actorId: moderator.id, outcome: 'success', targetId: String(thread.id) });
    expect(await createReply(db, outsider, { threadId: thread.id, body: 'Can I still reply?' })).toMatchObject({ ok: false, reason: 'locked' });
    expect(await createReply(db, moderator, { threadId: thread.id, body: 'Locked while we check this.' })).toMatchObject({ ok: true });
    expect(await setLocked(db, admin, { threadId: thread.id, locked: false })).toMatchObject({ ok: true });
    expect(await lastAudit(A.unlock)).toMatchObject({ actorId: admin.id, outcome: 'success' });
    expect(await createReply(db, outsider, { threadId: thread.id, body: 'Now I can reply.' })).toMatchObject({ ok: true });
  });
});

describe('refusals', () => {
  it('a member is refused every moderator action; nothing changes and each refusal is audited', async () => {
    const thread = await newThread();
    const [post] = await listPosts(db, thread.id, 1);
    const [report] = await write(db, (tx) => tx.insert(reports).values({ postId: post!.post.id, reporterId: outsider.id, reason: 'Spam' }).returning());
    const attempts: [string, () => Promise<unknown>, string, number][] = [
      [A.pin, () => setPinned(db, author, { threadId: thread.id, pinned: true }), 'thread', thread.id],
      [A.lock, () => setLocked(db, author, { threadId: thread.id, locked: true }), 'thread', thread.id],
      [A.move, () => moveThread(db, author, { threadId: thread.id, categoryId: restricted.id }), 'thread', thread.id],
      [A.hideThread, () => hideThread(db, author, { threadId: thread.id, reason: 'Mine to hide' }), 'thread', thread.id],
      [A.restoreThread, () => restoreThread(db, author, { threadId: thread.id }), 'thread', thread.id],
      [A.hidePost, () => hidePost(db, author, { postId: post!.post.id, reason: 'Mine to hide' }), 'post', post!.post.id],
      [A.restorePost, () => restorePost(db, author, { postId: post!.post.id }), 'post', post!.post.id],
      [A.resolveReport, () => resolveReport(db, author, { reportId: report!.id, resolution: 'resolved' }), 'report', report!.id],
      [A.dismissReport, () => resolveReport(db, author, { reportId: report!.id, resolution: 'dismissed' }), 'report', report!.id],
    ];
    for (const [action, attempt, targetType, targetId] of attempts) {
      expect(await attempt(), action).toMatchObject({ ok: false, reason: 'forbidden' });
      expect(await lastAudit(action), action).toMatchObject({ actorId: author.id, outcome: 'refused', targetType, targetId: String(targetId), ip: author.ip, detail: { reason: 'forbidden' } });
    }
    const after = (await threadRow(thread.id))!;
    expect(after).toMatchObject({ pinned: false, locked: false, hiddenAt: null, categoryId: open.id });
    expect((await db.select().from(posts).where(eq(posts.id, post!.post.id)).get())!.hiddenAt).toBeNull();
    expect((await db.select().from(reports).where(eq(reports.id, report!.id)).get())!.resolvedAt).toBeNull();
  });

  it('an unknown thread, post or report is refused and audited', async () => {
    expect(await setPinned(db, moderator, { threadId: 999_999, pinned: true })).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await lastAudit(A.pin)).toMatchObject({ actorId: moderator.id, outcome: 'refused', targetId: '999999', detail: { reason: 'not-found' } });
    expect(await hidePost(db, moderator, { postId: 999_999, reason: 'Nothing' })).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await resolveReport(db, moderator, { reportId: 999_999, resolution: 'dismissed' })).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await lastAudit(A.dismissReport)).toMatchObject({ outcome: 'refused', targetId: '999999' });
  });
});

describe('moving a thread', () => {
  it('into a restricted category hides it from outsiders from then on, everywhere', async () => {
    const thread = await newThread('Sensitive: budget for the kittiwake operation');
    expect(await findVisibleThread(db, outsider, thread.id)).not.toBeNull();
    const found = await searchForum(db, outsider, { q: 'kittiwake', page: 1 });
    expect(found.status === 'done' && found.total).toBe(1);

    const moved = await moveThread(db, moderator, { threadId: thread.id, categoryId: restricted.id });
    expect(moved).toMatchObject({ ok: true });
    expect((await threadRow(thread.id))!.categoryId).toBe(restricted.id);
    expect(await lastAudit(A.move)).toMatchObject({ actorId: moderator.id, outcome: 'success', targetId: String(thread.id), detail: { from: 'general', to: 'pccs-and-chiefs' } });

    expect(await findVisibleThread(db, outsider, thread.id)).toBeNull();
    const after = await searchForum(db, outsider, { q: 'kittiwake', page: 1 });
    expect(after.status === 'done' && after.total).toBe(0);
    expect((await listCategories(db, outsider)).map((c) => c.category.slug)).toEqual(['general']);
    expect(await createReply(db, outsider, { threadId: thread.id, body: 'Replying anyway' })).toMatchObject({ ok: false, reason: 'not-found' });

    expect(await findVisibleThread(db, insider, thread.id)).not.toBeNull();
    const asInsider = await searchForum(db, insider, { q: 'kittiwake', page: 1 });
    expect(asInsider.status === 'done' && asInsider.total).toBe(1);
  });

  it('to the category it is in, or to an unknown one, is refused with a message for the field', async () => {
    const thread = await newThread();
    expect(await moveThread(db, moderator, { threadId: thread.id, categoryId: open.id })).toMatchObject({ ok: false, field: 'categoryId' });
    expect(await moveThread(db, moderator, { threadId: thread.id, categoryId: 424_242 })).toMatchObject({ ok: false, field: 'categoryId' });
    expect((await threadRow(thread.id))!.categoryId).toBe(open.id);
  });
});

describe('hiding', () => {
  it('a hidden post is a placeholder for members and the marked text for moderators', async () => {
    const thread = await newThread();
    const reply = await createReply(db, outsider, { threadId: thread.id, body: 'Something that should not be here: the shearwater address.' });
    if (!reply.ok) throw new Error(reply.message);
    const hidden = await hidePost(db, moderator, { postId: reply.post.id, reason: 'Personal data of a victim' });
    expect(hidden).toMatchObject({ ok: true });
    expect(await lastAudit(A.hidePost)).toMatchObject({
      actorId: moderator.id,
      outcome: 'success',
      targetType: 'post',
      targetId: String(reply.post.id),
      ip: moderator.ip,
      detail: { threadId: thread.id, postNumber: 2, reason: 'Personal data of a victim' },
    });

    const views = await listPosts(db, thread.id, 1);
    const asMember = presentPosts(author, views);
    expect(asMember[1]!.moderation).toEqual({ state: 'hidden', showContent: false });
    expect(asMember[1]!.post).toMatchObject({ html: '', hiddenReason: null, postNumber: 2 });
    // A thread page never reads the Markdown; a caller that did (with the whole row) gets it emptied too.
    expect(asMember[1]!.post).not.toHaveProperty('raw');
    const fullRow = await db.select().from(posts).where(eq(posts.id, reply.post.id)).get();
    expect(presentPosts(author, [{ post: fullRow! }])[0]!.post).toMatchObject({ raw: '', html: '' });
    expect(JSON.stringify(asMember)).not.toContain('shearwater');
    expect(asMember[0]!.moderation).toEqual({ state: 'visible' });

    const asModerator = presentPosts(moderator, views);
    expect(asModerator[1]!.moderation).toMatchObject({ state: 'hidden', showContent: true, reason: 'Personal data of a victim', hiddenBy: moderator.id });
    expect(asModerator[1]!.post.html).toContain('shearwater');

    const memberSearch = await searchForum(db, author, { q: 'shearwater', page: 1 });
    expect(memberSearch.status === 'done' && memberSearch.total).toBe(0);

    expect(await restorePost(db, moderator, { postId: reply.post.id })).toMatchObject({ ok: true });
    expect(await lastAudit(A.restorePost)).toMatchObject({ actorId: moderator.id, outcome: 'success', detail: { wasHiddenFor: 'Personal data of a victim' } });
    expect(presentPosts(author, await listPosts(db, thread.id, 1))[1]!.post.html).toContain('shearwater');
  });

  it('a hidden thread is gone for members and marked for moderators, until restored', async () => {
    const thread = await newThread('A thread to hide');
    expect(await hideThread(db, moderator, { threadId: thread.id, reason: 'Duplicate of another thread' })).toMatchObject({ ok: true });
    expect(await lastAudit(A.hideThread)).toMatchObject({ actorId: moderator.id, outcome: 'success', detail: { reason: 'Duplicate of another thread' } });
    expect(await findVisibleThread(db, author, thread.id)).toBeNull();
    expect((await listThreads(db, outsider, open, 1)).items.map((i) => i.thread.id)).not.toContain(thread.id);
    const seen = await findVisibleThread(db, moderator, thread.id);
    expect(seen!.thread).toMatchObject({ hiddenReason: 'Duplicate of another thread', hiddenBy: moderator.id });

    expect(await restoreThread(db, moderator, { threadId: thread.id })).toMatchObject({ ok: true });
    expect(await lastAudit(A.restoreThread)).toMatchObject({ actorId: moderator.id, outcome: 'success' });
    expect(await findVisibleThread(db, author, thread.id)).not.toBeNull();
  });
});

describe('the reports queue', () => {
  it('lists open reports oldest first; resolve and dismiss close them, audited', async () => {
    const thread = await newThread('Reported thread');
    const [first] = await listPosts(db, thread.id, 1);
    const [older, newer] = await write(db, (tx) =>
      tx
        .insert(reports)
        .values([
          { postId: first!.post.id, reporterId: outsider.id, reason: 'Looks like personal data', createdAt: new Date(Date.now() - 60_000) },
          { postId: first!.post.id, reporterId: insider.id, reason: 'Off topic', createdAt: new Date() },
        ])
        .returning(),
    );
    const queue = await listReports(db, moderator, { status: 'open', page: 1 });
    const ids = queue.items.map((i) => i.id);
    expect(ids.indexOf(older!.id)).toBeLessThan(ids.indexOf(newer!.id));
    const item = queue.items.find((i) => i.id === older!.id)!;
    expect(item).toMatchObject({ reason: 'Looks like personal data', thread: { id: thread.id, title: 'Reported thread' }, category: { slug: 'general' }, post: { number: 1 } });
    expect(item.href).toBe(`/forum/t/${thread.id}/reported-thread#post-1`);

    expect(await resolveReport(db, moderator, { reportId: older!.id, resolution: 'dismissed' })).toMatchObject({ ok: true });
    expect(await lastAudit(A.dismissReport)).toMatchObject({ actorId: moderator.id, outcome: 'success', targetType: 'report', targetId: String(older!.id), detail: { resolution: 'dismissed' } });
    expect(await resolveReport(db, moderator, { reportId: newer!.id, resolution: 'resolved' })).toMatchObject({ ok: true });
    expect(await lastAudit(A.resolveReport)).toMatchObject({ actorId: moderator.id, outcome: 'success', targetId: String(newer!.id) });
    expect(await resolveReport(db, moderator, { reportId: newer!.id, resolution: 'dismissed' })).toMatchObject({ ok: false, reason: 'unchanged' });

    const openIds = (await listReports(db, moderator, { status: 'open', page: 1 })).items.map((i) => i.id);
    expect(openIds).not.toContain(older!.id);
    const closed = await listReports(db, moderator, { status: 'closed', page: 1 });
    expect(closed.items.find((i) => i.id === older!.id)).toMatchObject({ resolution: 'dismissed', resolverName: moderator.displayName });
    expect(closed.items.find((i) => i.id === newer!.id)).toMatchObject({ resolution: 'resolved' });
  });

  it('hiding a reported post from the queue resolves its open reports', async () => {
    const thread = await newThread('Another reported thread');
    const [first] = await listPosts(db, thread.id, 1);
    const [report] = await write(db, (tx) => tx.insert(reports).values({ postId: first!.post.id, reporterId: outsider.id, reason: 'Abusive' }).returning());
    expect(await hidePost(db, moderator, { postId: first!.post.id, reason: 'Abusive language', resolveReports: true })).toMatchObject({ ok: true, reportsResolved: 1 });
    const row = await db.select().from(reports).where(eq(reports.id, report!.id)).get();
    expect(row).toMatchObject({ resolution: 'resolved', resolvedBy: moderator.id });
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.action, A.resolveReport), eq(auditLog.targetId, String(report!.id)))).get();
    expect(audited).toMatchObject({ outcome: 'success', actorId: moderator.id });
  });

  it('is for moderators only', async () => {
    await expect(listReports(db, author, { status: 'open', page: 1 })).rejects.toThrow();
  });
});

describe('reply counts follow what members can read', () => {
  it('hiding a reply takes it out of the count, restoring puts it back, deleting a hidden one changes nothing more', async () => {
    const thread = await newThread('A thread whose replies are moderated');
    const replier = await person('member');
    const reply = await createReply(db, replier, { threadId: thread.id, body: 'A reply.' });
    if (!reply.ok) throw new Error(reply.message);
    const count = async () => (await db.select({ n: threads.replyCount }).from(threads).where(eq(threads.id, thread.id)).get())!.n;
    expect(await count()).toBe(1);

    expect((await hidePost(db, moderator, { postId: reply.post.id, reason: 'Personal data' })).ok).toBe(true);
    expect(await count()).toBe(0);
    expect((await restorePost(db, moderator, { postId: reply.post.id })).ok).toBe(true);
    expect(await count()).toBe(1);

    expect((await hidePost(db, moderator, { postId: reply.post.id, reason: 'Personal data' })).ok).toBe(true);
    expect((await deletePost(db, moderator, { postId: reply.post.id })).ok).toBe(true);
    expect(await count()).toBe(0);
    // A deleted post is hidden and restored by no one (canModeratePost): nothing changes.
    expect(await restorePost(db, moderator, { postId: reply.post.id })).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(await hidePost(db, moderator, { postId: reply.post.id, reason: 'Again' })).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(await count()).toBe(0);
    expect((await db.select().from(posts).where(eq(posts.id, reply.post.id)).get())!.hiddenReason).toBe('Personal data');
  });
});
