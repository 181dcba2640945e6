import { and, desc, eq } from 'drizzle-orm';
import { test, expect, createMember, sessionCookie, testClientAddress } from './fixtures.ts';
import { auditLog, categories, reports } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { forumActor } from '#lib/forum/access.ts';
import { createReply, createThread } from '#lib/forum/posting.ts';
import { reportPost } from '#lib/forum/reports.ts';

/**
 * Moderation in the browser: a member's report reaches /moderation; a moderator locks
 * the thread and hides the post with a reason; the member then sees "hidden by a
 * moderator" instead of the text and cannot reply. Every step is in the audit log with
 * the moderator and their address.
 */

let count = 0;

async function openCategory(db: Database) {
  const slug = `moderation-e2e-${process.pid}-${++count}-${Date.now()}`;
  const [row] = await write(db, (tx) => tx.insert(categories).values({ slug, name: `Moderation test ${count}`, description: 'For the moderation tests.' }).returning());
  return row!;
}

async function lastAudit(db: Database, action: string, actorId: number) {
  return db.select().from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.actorId, actorId))).orderBy(desc(auditLog.id)).limit(1).get();
}

test('a reported post is hidden with a reason and its thread locked; the member sees the placeholder and cannot reply', async ({ page, db, signIn, systemBrowser, baseURL, expectNoAxeViolations }) => {
  const category = await openCategory(db);
  const author = await createMember(db, 'member', 'Reported author');
  const reporter = await createMember(db, 'member', 'Reporting member');
  const secret = `Call her on 07700 900${String(count).padStart(3, '0')}, she lives at the caravan site`;
  const title = `Case conference arrangements ${process.pid}-${count}-${Date.now()}`;
  const started = await createThread(db, await forumActor(db, author.user.id), { categoryId: category.id, title, body: 'When is the next case conference?' });
  if (!started.ok) throw new Error(started.message);
  const reply = await createReply(db, await forumActor(db, author.user.id), { threadId: started.thread.id, body: secret });
  if (!reply.ok) throw new Error(reply.message);
  const reported = await reportPost(db, await forumActor(db, reporter.user.id), { postId: reply.post.id, reason: 'This gives a victim’s phone number and where she lives.' });
  if (!reported.ok) throw new Error(reported.message);

  // The moderator finds the report in the queue.
  const moderatorAddress = testClientAddress();
  await page.context().setExtraHTTPHeaders({ 'x-forwarded-for': moderatorAddress });
  const moderator = await signIn('moderator');
  await page.goto('/moderation');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Moderation');
  const item = page.locator(`#report-${reported.report.id}`);
  await expect(item.getByRole('heading')).toHaveText(`Report on post 2 in “${title}”`);
  await expect(item).toContainText('This gives a victim’s phone number and where she lives.');
  await expect(item).toContainText(reporter.user.displayName);
  await expect(item).toContainText('caravan site');
  await expectNoAxeViolations(page);

  // Lock the thread from the report.
  await item.getByRole('button', { name: 'Lock the thread' }).click();
  await expect(page.getByRole('main').getByRole('status')).toHaveText('The thread is locked: members can no longer reply.');
  await expect(item).toContainText('The thread is locked.');

  // Hiding needs a reason; without one nothing changes and the field says why.
  await item.getByRole('button', { name: 'Hide post 2' }).click();
  await expect(page.getByRole('alert')).toContainText('Give a reason of at least 3 characters');
  await expect(item.getByLabel('Why hide post 2?')).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page);
  await item.getByLabel('Why hide post 2?').fill('Personal data of a potential victim');
  await item.getByRole('button', { name: 'Hide post 2' }).click();
  await expect(page.getByRole('main').getByRole('status')).toHaveText('Post 2 is hidden from members. Its report is resolved.');
  await expect(page.locator(`#report-${reported.report.id}`)).toHaveCount(0);

  // The closed reports show who resolved it.
  await page.getByRole('link', { name: 'Closed reports' }).click();
  const closed = page.locator(`#report-${reported.report.id}`);
  await expect(closed).toContainText(`by ${moderator.user.displayName}`);
  await expect(closed).toContainText('The post is hidden from members. Reason: Personal data of a potential victim');
  await expectNoAxeViolations(page);

  // Everything is in the audit log, with the moderator and their address.
  for (const action of ['forum-thread-lock', 'forum-post-hide', 'forum-report-resolve']) {
    expect(await lastAudit(db, action, moderator.user.id), action).toMatchObject({ outcome: 'success', ip: moderatorAddress });
  }
  expect(await db.select().from(reports).where(eq(reports.id, reported.report.id)).get()).toMatchObject({ resolution: 'resolved', resolvedBy: moderator.user.id });

  // The member who reported it sees the placeholder, not the text, and no way to reply.
  const memberContext = await systemBrowser.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  const { token } = await createSession(db, reporter.user.id, { mfaVerified: true });
  await memberContext.addCookies([sessionCookie(token, baseURL!)]);
  const memberPage = await memberContext.newPage();
  await memberPage.goto(`/forum/t/${started.thread.id}/${started.thread.slug}`);
  await expect(memberPage.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(memberPage.locator('#post-2')).toContainText(/hidden by a moderator/i);
  await expect(memberPage.getByRole('main')).not.toContainText('caravan site');
  await expect(memberPage.getByRole('main')).not.toContainText('Personal data of a potential victim');
  await expect(memberPage.getByRole('main')).toContainText(/locked/i);
  await expect(memberPage.getByRole('button', { name: /^(Post reply|Reply)$/ })).toHaveCount(0);
  // A reply sent anyway is refused.
  const refused = await createReply(db, await forumActor(db, reporter.user.id), { threadId: started.thread.id, body: 'Replying anyway' });
  expect(refused).toMatchObject({ ok: false, reason: 'locked' });
  await memberContext.close();

  // The moderator sees the text on the thread page, marked as hidden, with the reason.
  await page.goto(`/forum/t/${started.thread.id}/${started.thread.slug}`);
  await expect(page.locator('#post-2')).toContainText('caravan site');
  await expect(page.locator('#post-2')).toContainText('Personal data of a potential victim');
});

test('a member cannot open the moderation queue, and the refusal is audited', async ({ page, db, signIn }) => {
  const member = await signIn();
  const response = await page.goto('/moderation');
  expect(response!.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You do not have permission to see this page');
  expect(await lastAudit(db, 'moderation-queue', member.user.id)).toMatchObject({ outcome: 'refused', targetType: 'page', targetId: '/moderation' });
  // The forms' endpoints refuse them too, audited.
  const action = await page.request.post('/_actions/moderation.lock', { form: { threadId: '1' }, headers: { origin: new URL(page.url()).origin } });
  expect(action.status()).toBe(403);
  expect(await lastAudit(db, 'forum-thread-lock', member.user.id)).toMatchObject({ outcome: 'refused', targetId: 'moderation.lock', detail: { reason: 'not-a-moderator' } });
});

test('a moderator pins, moves and hides a thread and hides and restores a post from the thread page', async ({ page, db, signIn, systemBrowser, baseURL, expectNoAxeViolations }) => {
  const open = await openCategory(db);
  const slug = `moderation-restricted-${process.pid}-${++count}-${Date.now()}`;
  // Fixture members belong to an OPCC: a category for health teams only is closed to them.
  const [restricted] = await write(db, (tx) => tx.insert(categories).values({ slug, name: `Health teams only ${count}`, description: 'Restricted.', allowedOrganisationTypes: ['health'] }).returning());
  const author = await createMember(db, 'member', 'Thread author');
  const outsider = await createMember(db, 'member', 'Outsider');
  const title = `Clinic referrals ${process.pid}-${count}-${Date.now()}`;
  const started = await createThread(db, await forumActor(db, author.user.id), { categoryId: open.id, title, body: 'How do clinics refer?' });
  if (!started.ok) throw new Error(started.message);
  const reply = await createReply(db, await forumActor(db, author.user.id), { threadId: started.thread.id, body: 'An off-topic advert for a conference.' });
  if (!reply.ok) throw new Error(reply.message);

  const moderator = await signIn('moderator');
  const threadUrl = `/forum/t/${started.thread.id}/${started.thread.slug}`;
  await page.goto(threadUrl);
  const controls = page.getByRole('complementary', { name: 'Moderate this thread' });
  await controls.getByRole('button', { name: 'Pin thread' }).click();
  await expect(controls.getByRole('status')).toHaveText('The thread is pinned to the top of its category.');
  await expect(controls.getByRole('button', { name: 'Unpin thread' })).toBeVisible();

  // Hide post 2 with a reason, then restore it.
  const post2 = page.locator('#post-2');
  await post2.getByText('Hide post 2', { exact: true }).first().click();
  await post2.getByLabel('Why hide post 2?').fill('Advertising');
  await post2.locator('form').getByRole('button', { name: 'Hide post 2' }).click();
  await expect(page.locator('#post-2').getByRole('status')).toHaveText('Post 2 is hidden from members.');
  await expect(page.locator('#post-2')).toContainText('Hidden by a moderator: Advertising');
  await expectNoAxeViolations(page);
  await page.locator('#post-2').getByRole('button', { name: 'Restore post 2' }).click();
  await expect(page.locator('#post-2').getByRole('status')).toHaveText('Post 2 is restored: members see it again.');

  // Hiding the thread needs a reason.
  await controls.getByRole('button', { name: 'Hide thread' }).click();
  await expect(controls.getByLabel('Why hide the whole thread?')).toHaveAttribute('aria-invalid', 'true');
  await expect(controls).toContainText('Give a reason of at least 3 characters');
  await expectNoAxeViolations(page);

  // Move it into the restricted category: the outsider loses it at once.
  await controls.getByLabel('Move to category').selectOption({ label: `${restricted!.name} (restricted)` });
  await controls.getByRole('button', { name: 'Move thread' }).click();
  await expect(controls.getByRole('status')).toHaveText('The thread is moved. Members who cannot see its new category no longer see it.');
  const outsiderContext = await systemBrowser.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  const { token } = await createSession(db, outsider.user.id, { mfaVerified: true });
  await outsiderContext.addCookies([sessionCookie(token, baseURL!)]);
  expect((await outsiderContext.request.get(threadUrl, { maxRedirects: 0 })).status()).toBe(404);
  await outsiderContext.close();

  await controls.getByLabel('Why hide the whole thread?').fill('Moved to the health teams; hiding while we check it');
  await controls.getByRole('button', { name: 'Hide thread' }).click();
  await expect(controls.getByRole('status')).toHaveText('The thread is hidden from members. Moderators still see it, marked.');
  await expect(controls.getByRole('button', { name: 'Restore thread' })).toBeVisible();

  for (const action of ['forum-thread-pin', 'forum-post-hide', 'forum-post-restore', 'forum-thread-move', 'forum-thread-hide']) {
    expect(await lastAudit(db, action, moderator.user.id), action).toMatchObject({ outcome: 'success', targetId: String(action.includes('post') ? reply.post.id : started.thread.id) });
  }
  expect(await lastAudit(db, 'forum-thread-move', moderator.user.id)).toMatchObject({ detail: { from: open.slug, to: restricted!.slug } });
});
