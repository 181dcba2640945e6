/**
 * Erasing an account against a real libSQL file: by the member (password, code and the
 * word DELETE) and by an administrator; what goes, what stays ("Former member" posts, the
 * audit log by id), the address invited again, and deleting an erased member's posts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';

process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');

import {
  auditLog,
  calendarFeeds,
  keptVersions,
  passkeys,
  categories,
  categorySubscriptions,
  invitations,
  knownBrowsers,
  mailKindSettings,
  mailOutbox,
  mailPreferences,
  memberProfiles,
  notifications,
  postRevisions,
  posts,
  readStates,
  recoveryCodes,
  sessions,
  threadSubscriptions,
  threads,
  throttleEvents,
  totpCredentials,
  users,
  type Category,
  type User,
} from '#db/schema.ts';
import { write } from '#lib/db.ts';
import { inviteMember, suspendMember } from '#lib/admin/members.ts';
import { listAuditEntries } from '#lib/admin/audit-log.ts';
import { acceptInvitation } from '#lib/auth/invitations.ts';
import { eraseMember, eraseOwnAccount, FORMER_MEMBER, removeFormerMemberPosts, type Eraser } from '#lib/auth/erasure.ts';
import { regenerateRecoveryCodes } from '#lib/auth/recovery-codes.ts';
import { createSession, validateSessionToken } from '#lib/auth/sessions.ts';
import { checkPassword } from '#lib/auth/sign-in.ts';
import { currentStep, newTotpKey, saveTotpKey, totpCode } from '#lib/auth/totp.ts';
import { findPerson } from '#lib/directory/directory.ts';
import { saveProfile } from '#lib/directory/profiles.ts';
import { forumActor } from '#lib/forum/access.ts';
import { editPost } from '#lib/forum/post-edits.ts';
import { postReply, startThread } from '#lib/forum/posting.ts';
import { listPosts } from '#lib/forum/posts.ts';
import { clearThrottle } from '#lib/auth/throttle.ts';
import { createCalendarFeed } from '#lib/events/feeds.ts';
import { createTestUser, freshDatabase, type TestDatabase } from './helpers.ts';

let t: TestDatabase;
let category: Category;
let admin: User;
const PASSWORD = 'granite lantern orchard 42';
let passwordHash: string;

beforeAll(async () => {
  t = await freshDatabase();
  [category] = await write(t.db, (tx) => tx.insert(categories).values({ slug: 'open', name: 'Open', description: 'Any member' }).returning());
  admin = (await createTestUser(t.db, { role: 'admin', password: PASSWORD })).user;
  passwordHash = admin.passwordHash;
});
afterAll(() => t.cleanup());

const adminEraser = (): Eraser => ({ userId: admin.id, ip: '192.0.2.1', by: 'administrator', via: 'web' });
type MembersTable =
  | typeof sessions
  | typeof totpCredentials
  | typeof recoveryCodes
  | typeof memberProfiles
  | typeof notifications
  | typeof threadSubscriptions
  | typeof categorySubscriptions
  | typeof readStates
  | typeof mailOutbox
  | typeof mailKindSettings
  | typeof mailPreferences
  | typeof knownBrowsers
  | typeof calendarFeeds
  | typeof keptVersions
  | typeof passkeys;
const rowsFor = async (table: MembersTable, userId: number) =>
  (await t.db.select().from(table).where(eq(table.userId, userId)).all()).length;
const ftsHits = async (word: string) => Number((await t.db.$client.execute({ sql: 'select count(*) as n from posts_fts where posts_fts match ?', args: [word] })).rows[0]!.n);

/** A member who has used the portal: an invitation, an app and codes, a profile, posts, a reply to them, settings. */
async function activeMember(word: string) {
  const email = `leaver-${word}-${Date.now()}@example.org`;
  const invited = await inviteMember(t.db, { userId: admin.id, ip: null, via: 'web' }, { email, role: 'member', organisationId: admin.organisationId });
  if (!invited.ok) throw new Error(invited.message);
  const accepted = await acceptInvitation(t.db, invited.token, { displayName: `Leaving ${word}`, password: PASSWORD });
  if (!accepted.ok) throw new Error(accepted.message);
  const user = (await t.db.select().from(users).where(eq(users.id, accepted.userId)).get())!;
  const key = newTotpKey();
  await saveTotpKey(t.db, user.id, key, 0);
  const codes = await regenerateRecoveryCodes(t.db, user.id);
  await saveProfile(t.db, user.id, { roleTitle: 'Analyst', areas: ['nrm'], askMeAbout: null, showAskMeAbout: false, workPhone: '01632 960 999', showWorkPhone: true, workEmail: null, showWorkEmail: false, link: null });
  const me = await forumActor(t.db, user.id);
  await clearThrottle(t.db, `forum-post:${user.id}`);
  const started = await startThread(t.db, me, { categoryId: category.id, title: `A thread by ${word}`, body: `Opening words ${word}opening` });
  if (!started.ok) throw new Error(started.message);
  const reply = await postReply(t.db, me, { threadId: started.thread.id, body: `A reply ${word}reply` });
  if (!reply.ok) throw new Error(reply.message);
  await editPost(t.db, me, { postId: reply.post.id, body: `An edited reply ${word}edited` });
  // Someone else replies: the member is notified (and watches the thread, from posting).
  await clearThrottle(t.db, `forum-post:${admin.id}`);
  await postReply(t.db, await forumActor(t.db, admin.id), { threadId: started.thread.id, body: 'Thanks for this.' });
  await write(t.db, (tx) => tx.insert(categorySubscriptions).values({ userId: user.id, categoryId: category.id, level: 'watching' }));
  const signedIn = await createSession(t.db, user.id, { mfaVerified: true });
  return { user, email, key, codes, thread: started.thread, reply: reply.post, ...signedIn };
}

describe('a member deletes their own account', () => {
  it('is refused without the word DELETE, or with a wrong password or code, and nothing changes', async () => {
    const m = await activeMember('refused');
    const code = totpCode(m.key, currentStep());
    expect(await eraseOwnAccount(t.db, m.user.id, { password: PASSWORD, code, confirmation: 'delete' }, null)).toMatchObject({ ok: false, field: 'confirmation' });
    expect(await eraseOwnAccount(t.db, m.user.id, { password: 'not my password', code, confirmation: 'DELETE' }, null)).toMatchObject({ ok: false, field: 'password' });
    expect(await eraseOwnAccount(t.db, m.user.id, { password: PASSWORD, code: '000000', confirmation: 'DELETE' }, null)).toMatchObject({ ok: false, field: 'code' });
    const still = (await t.db.select().from(users).where(eq(users.id, m.user.id)).get())!;
    expect(still).toMatchObject({ status: 'active', email: m.email, displayName: 'Leaving refused' });
    expect((await validateSessionToken(t.db, m.token)).session).not.toBeNull();
  });

  it('erases their personal data at once; posts stay as "Former member", the audit log keeps their id', async () => {
    const m = await activeMember('erased');
    await write(t.db, (tx) => tx.insert(throttleEvents).values([{ key: `sign-in:account:${m.email}`, at: new Date() }, { key: `mfa:account:${m.user.id}`, at: new Date() }]));
    await write(t.db, async (tx) => {
      await tx.insert(mailKindSettings).values({ userId: m.user.id, kind: 'mention', cadence: 'daily' });
      await tx.insert(mailPreferences).values({ userId: m.user.id, digestHour: 9 });
      await tx.insert(knownBrowsers).values({ userId: m.user.id, tokenHash: Buffer.alloc(32, 1), firstSeenAt: new Date(), lastSeenAt: new Date() });
    });
    await createCalendarFeed(t.db, m.user.id, null);
    // A draft the browser editor kept for them (a refused save), and one of someone else's that stays.
    await write(t.db, (tx) =>
      tx.insert(keptVersions).values([
        { path: 'guides/a.mdx', reason: 'conflict', userId: m.user.id, content: Buffer.from('my unsaved words') },
        { path: 'guides/a.mdx', reason: 'rollback', userId: admin.id, content: Buffer.from('the administrator’s words') },
      ]),
    );
    await write(t.db, (tx) => tx.insert(passkeys).values({ userId: m.user.id, credentialId: Buffer.alloc(16, 7), algorithm: -7, publicKey: Buffer.alloc(65), name: 'Phone' }));
    // Their invitation was emailed to their address.
    expect(await t.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, m.email)).all()).not.toEqual([]);
    const result = await eraseOwnAccount(t.db, m.user.id, { password: PASSWORD, code: m.codes[0]!, confirmation: ' DELETE ' }, '192.0.2.44');
    expect(result).toEqual({ ok: true, sessionsEnded: 1 });

    const row = (await t.db.select().from(users).where(eq(users.id, m.user.id)).get())!;
    expect(row).toMatchObject({ displayName: FORMER_MEMBER, status: 'erased', passwordHash: '', lastSeenAt: null });
    expect(row.email).not.toContain('@');
    expect(row.erasedAt).toBeInstanceOf(Date);
    for (const table of [sessions, totpCredentials, recoveryCodes, memberProfiles, notifications, threadSubscriptions, categorySubscriptions, readStates, mailOutbox, mailKindSettings, mailPreferences, knownBrowsers, calendarFeeds, keptVersions, passkeys]) {
      expect(await rowsFor(table, m.user.id)).toBe(0);
    }
    expect((await t.db.select().from(keptVersions).all()).map((k) => k.userId)).toEqual([admin.id]);
    // Their mail is gone too: the recovery code just used queued a message, and nothing is left to send or to read.
    expect(await t.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, m.email)).all()).toEqual([]);
    expect(await t.db.select().from(invitations).where(eq(invitations.email, m.email)).all()).toEqual([]);
    expect(await t.db.select().from(throttleEvents).where(sql`${throttleEvents.key} like ${`%${m.email}%`} or ${throttleEvents.key} = ${`mfa:account:${m.user.id}`}`).all()).toEqual([]);
    expect((await validateSessionToken(t.db, m.token)).session).toBeNull();
    expect(await findPerson(t.db, m.user.id)).toBeNull();

    // Their posts stay where they were, by "Former member", with their text.
    const shown = await listPosts(t.db, m.thread.id, 1);
    expect(shown.filter((p) => p.post.authorId === m.user.id).map((p) => [p.authorName, p.post.deletedAt])).toEqual([[FORMER_MEMBER, null], [FORMER_MEMBER, null]]);
    expect(await ftsHits('erasedreply')).toBe(0); // the reply was edited; the current text is still searchable:
    expect(await ftsHits('erasededited')).toBe(1);

    // The audit log: the event by their id; their address is gone from every row that quoted it.
    const erasure = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'account-erase'), eq(auditLog.targetId, String(m.user.id)))).all();
    expect(erasure).toEqual([expect.objectContaining({ actorId: m.user.id, outcome: 'success', ip: '192.0.2.44', detail: { by: 'member', sessionsEnded: 1 } })]);
    const quoting = await t.db.select().from(auditLog).where(sql`instr(${auditLog.detail}, ${m.email}) > 0 or instr(${auditLog.detail}, 'Leaving erased') > 0`).all();
    expect(quoting).toEqual([]);
    const invitationRow = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'invitation-create'), sql`instr(${auditLog.detail}, ${`#${m.user.id}`}) > 0`)).get();
    expect(invitationRow?.detail).toMatchObject({ email: `[erased member #${m.user.id}]` });
    // The audit page shows them by number only.
    const listed = await listAuditEntries(t.db, { action: 'account-erase' });
    expect(listed.rows.find((r) => r.actorId === m.user.id)).toMatchObject({ actorEmail: null, actorName: null });

    // They cannot sign in; the address can be invited again and becomes a new account.
    expect(await checkPassword(t.db, m.email, PASSWORD, '192.0.2.45')).toMatchObject({ ok: false });
    const again = await inviteMember(t.db, { userId: admin.id, ip: null, via: 'web' }, { email: m.email, role: 'member', organisationId: admin.organisationId });
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    const rejoined = await acceptInvitation(t.db, again.token, { displayName: 'Back again', password: PASSWORD });
    expect(rejoined.ok && rejoined.userId).not.toBe(m.user.id);
  });

  it('is refused for the only administrator', async () => {
    const [lonely] = await write(t.db, (tx) => tx.update(users).set({ status: 'suspended' }).where(eq(users.role, 'admin')).returning());
    const soleAdmin = (await createTestUser(t.db, { role: 'admin', passwordHash })).user;
    const key = newTotpKey();
    await saveTotpKey(t.db, soleAdmin.id, key, 0);
    const result = await eraseOwnAccount(t.db, soleAdmin.id, { password: PASSWORD, code: totpCode(key, currentStep()), confirmation: 'DELETE' }, null);
    expect(result).toMatchObject({ ok: false, reason: 'conflict' });
    expect((await t.db.select().from(users).where(eq(users.id, soleAdmin.id)).get())!.status).toBe('active');
    await write(t.db, (tx) => tx.update(users).set({ status: 'active' }).where(eq(users.id, lonely!.id)));
  });
});

describe('an administrator erases a member', () => {
  it('erases the account the same way, audited with the administrator, and can delete the posts too', async () => {
    const m = await activeMember('removed');
    const before = (await t.db.select().from(threads).where(eq(threads.id, m.thread.id)).get())!;
    expect(await eraseMember(t.db, adminEraser(), { userId: m.user.id, confirmation: 'delete', removePosts: true })).toMatchObject({ ok: false, field: 'confirmation' });
    const result = await eraseMember(t.db, adminEraser(), { userId: m.user.id, confirmation: 'DELETE', removePosts: true });
    expect(result).toEqual({ ok: true, postsRemoved: 2, sessionsEnded: 1 });

    const theirs = await t.db.select().from(posts).where(eq(posts.authorId, m.user.id)).all();
    expect(theirs.map((p) => [p.raw, p.html, p.deletedAt !== null, p.deletedBy])).toEqual([['', '', true, admin.id], ['', '', true, admin.id]]);
    expect(await t.db.select().from(postRevisions).where(eq(postRevisions.postId, m.reply.id)).all()).toEqual([]);
    expect(await ftsHits('removededited')).toBe(0);
    expect(await ftsHits('removedopening')).toBe(0);
    const after = (await t.db.select().from(threads).where(eq(threads.id, m.thread.id)).get())!;
    expect(after.replyCount).toBe(before.replyCount - 1);
    const row = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'account-erase'), eq(auditLog.targetId, String(m.user.id)))).get();
    expect(row).toMatchObject({ actorId: admin.id, detail: { by: 'administrator', postsRemoved: 2, sessionsEnded: 1 } });
  });

  it('deletes an erased member’s posts later, when they ask, and only an erased member’s', async () => {
    const m = await activeMember('later');
    expect(await removeFormerMemberPosts(t.db, adminEraser(), { userId: m.user.id })).toMatchObject({ ok: false, reason: 'conflict' });
    await eraseMember(t.db, adminEraser(), { userId: m.user.id, confirmation: 'DELETE' });
    expect(await ftsHits('lateredited')).toBe(1);
    expect(await removeFormerMemberPosts(t.db, adminEraser(), { userId: m.user.id })).toEqual({ ok: true, postsRemoved: 2 });
    expect(await ftsHits('lateredited')).toBe(0);
  });

  it('refuses their own account, an unknown member and an account already erased, audited', async () => {
    expect(await eraseMember(t.db, adminEraser(), { userId: admin.id, confirmation: 'DELETE' })).toMatchObject({ ok: false, reason: 'self' });
    expect(await eraseMember(t.db, adminEraser(), { userId: 987_654, confirmation: 'DELETE' })).toMatchObject({ ok: false, reason: 'not-found' });
    const m = await activeMember('twice');
    await eraseMember(t.db, adminEraser(), { userId: m.user.id, confirmation: 'DELETE' });
    expect(await eraseMember(t.db, adminEraser(), { userId: m.user.id, confirmation: 'DELETE' })).toMatchObject({ ok: false, reason: 'not-found' });
    const refused = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'account-erase'), eq(auditLog.outcome, 'refused'))).all();
    expect(refused.map((r) => r.targetId)).toEqual(expect.arrayContaining([String(admin.id), '987654', String(m.user.id)]));
    expect((await t.db.select().from(users).where(eq(users.id, admin.id)).get())!.status).toBe('active');
  });

  it('erases a suspended member too, and an erased account cannot be reactivated or suspended', async () => {
    const m = await activeMember('suspended');
    await suspendMember(t.db, { userId: admin.id, ip: null, via: 'web' }, { userId: m.user.id });
    expect(await eraseMember(t.db, adminEraser(), { userId: m.user.id, confirmation: 'DELETE' })).toMatchObject({ ok: true });
    const { reactivateMember } = await import('#lib/admin/members.ts');
    expect(await reactivateMember(t.db, { userId: admin.id, ip: null, via: 'web' }, { userId: m.user.id })).toMatchObject({ ok: false, reason: 'conflict' });
    expect(await suspendMember(t.db, { userId: admin.id, ip: null, via: 'web' }, { userId: m.user.id })).toMatchObject({ ok: false, reason: 'conflict' });
    // The suspension's audit row quoted the address; it no longer does.
    const suspension = await t.db.select().from(auditLog).where(and(eq(auditLog.action, 'member-suspend'), eq(auditLog.targetId, String(m.user.id)), eq(auditLog.outcome, 'success'))).get();
    expect(suspension!.detail).toEqual({ email: `[erased member #${m.user.id}]` });
  });
});
