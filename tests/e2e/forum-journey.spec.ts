import { test, expect, createMember, sessionCookie, testClientAddress } from './fixtures.ts';
import { fixtures } from './test-content.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { forumActor } from '#lib/forum/access.ts';
import { createThread } from '#lib/forum/posting.ts';

/**
 * The forum from end to end, as its members use it: start a thread, reply quoting it
 * (keyboard only), be told and see it unread, report, moderate, and find it by search.
 */
test('a thread is started, quoted, noticed, reported, moderated and found', async ({ page, db, signIn, systemBrowser, baseURL, expectNoAxeViolations }) => {
  const title = `Joint visits with housing officers ${process.pid}-${Date.now()}`;

  // A starts a thread.
  await signIn();
  await page.goto('/forum');
  await expectNoAxeViolations(page);
  await page.getByRole('link', { name: 'Multi-agency working' }).click();
  await expectNoAxeViolations(page);
  await page.getByRole('link', { name: 'Start a new thread in Multi-agency working' }).click();
  await page.getByLabel('Title').fill(title);
  await page.getByRole('textbox', { name: 'Your post' }).fill('Do you visit **with** housing officers, or after them?');
  await page.getByRole('button', { name: 'Start thread' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  const threadUrl = new URL(page.url()).pathname;

  // B replies quoting it, with the keyboard alone.
  const b = await createMember(db, 'member', 'Quoting member');
  const bContext = await systemBrowser.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  await bContext.addCookies([sessionCookie((await createSession(db, b.user.id, { mfaVerified: true })).token, baseURL!)]);
  const bPage = await bContext.newPage();
  await bPage.goto(threadUrl);
  await bPage.getByRole('link', { name: 'Quote post 1' }).focus();
  await bPage.keyboard.press('Enter');
  const box = bPage.getByRole('textbox', { name: 'Your reply' });
  await expect(box).toHaveValue(/wrote in \[post 1\]/);
  await box.focus();
  await bPage.keyboard.press('Control+End');
  await bPage.keyboard.type('We go together: it saves a second knock on the door.');
  await bPage.getByRole('button', { name: 'Post reply' }).focus();
  await bPage.keyboard.press('Enter');
  await expect(bPage.locator('#post-2')).toContainText('it saves a second knock on the door');
  await expectNoAxeViolations(bPage);
  await bContext.close();

  // A is told, and sees the thread unread in its category.
  await page.goto('/forum/multi-agency-working');
  const row = page.locator('tr', { hasText: title });
  await expect(row.locator('.forum-unread-link')).toBeVisible();
  await page.getByRole('link', { name: 'Notifications (1)' }).click();
  await expectNoAxeViolations(page);
  await page.getByRole('link', { name: `${b.user.displayName} quoted you in “${title}”` }).click();
  await expect(page.locator('#post-2')).toContainText('second knock');

  // A reports B's post.
  await page.getByRole('link', { name: 'Report post 2' }).click();
  await page.getByLabel('Why are you reporting this post?').fill('It names the street where the family lives.');
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect(page.getByRole('status')).toContainText('Your report has gone to the moderators');

  // A moderator hides the post and locks the thread.
  const moderator = await createMember(db, 'moderator', 'Moderator');
  const modContext = await systemBrowser.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  await modContext.addCookies([sessionCookie((await createSession(db, moderator.user.id, { mfaVerified: true })).token, baseURL!)]);
  const modPage = await modContext.newPage();
  await modPage.goto('/moderation');
  const report = modPage.locator('article, li, section').filter({ has: modPage.getByRole('heading', { name: `Report on post 2 in “${title}”` }) }).first();
  await report.getByRole('button', { name: 'Lock the thread' }).click();
  await expect(modPage.getByRole('main').getByRole('status')).toContainText('locked');
  await report.getByLabel('Why hide post 2?').fill('Could identify a family');
  await report.getByRole('button', { name: 'Hide post 2' }).click();
  await expect(modPage.getByRole('main').getByRole('status')).toContainText('Post 2 is hidden');
  await modContext.close();

  // A sees the placeholder and cannot reply.
  await page.goto(threadUrl);
  await expect(page.locator('#post-2')).toContainText('hidden by a moderator');
  await expect(page.locator('#post-2')).not.toContainText('second knock');
  await expect(page.locator('[data-thread-locked]')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Post reply' })).toHaveCount(0);
  await expectNoAxeViolations(page);

  // Search finds the thread.
  await page.goto('/forum/search');
  await page.getByLabel('Words to find').fill('housing officers joint visits');
  await page.getByRole('main').getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('main').getByRole('link', { name: title })).toBeVisible();
  await expectNoAxeViolations(page);
});

test('the forum’s confirmation pages pass axe: delete a post, start a guide’s discussion', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const member = await signIn();
  const category = (await db.query.categories.findMany()).find((c) => c.slug === 'multi-agency-working')!;
  const started = await createThread(db, await forumActor(db, member.user.id), { categoryId: category.id, title: `Confirmation pages ${Date.now()}`, body: 'A post to delete.' });
  if (!started.ok) throw new Error(started.message);

  await page.goto(`/forum/p/${started.postId}/delete`);
  await expect(page.getByRole('button', { name: 'Yes, delete this post' })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.goto(`/forum/discuss?guide=${fixtures.overdueGuide.key}`);
  await expect(page.getByRole('button', { name: 'Start the discussion' })).toBeVisible();
  await expectNoAxeViolations(page);
});
