import { eq } from 'drizzle-orm';
import { test, expect, createMember, sessionCookie, testClientAddress } from './fixtures.ts';
import { categories, throttleEvents, users } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { forumActor } from '#lib/forum/access.ts';
import { createReply, createThread } from '#lib/forum/posting.ts';

/**
 * Notifications in the browser: member B mentions member A in a reply (made through the
 * lib, so this test shows one flow), A sees the count in the header, opens the list,
 * follows the link to the post, marks them read, and mutes and watches the thread.
 */

let categoryCount = 0;

/**
 * Fixture members are "Test member N", counted per worker, so two workers can make two
 * members of the same name, and a mention of that name tells both (by the mention rule).
 * Each test's member gets a name of its own.
 */
async function uniqueName(db: Database, userId: number, name: string) {
  const displayName = `${name} ${process.pid}-${Date.now()}`;
  await write(db, (tx) => tx.update(users).set({ displayName }).where(eq(users.id, userId)));
  return displayName;
}

async function openCategory(db: Database) {
  const slug = `notifications-e2e-${process.pid}-${++categoryCount}-${Date.now()}`;
  const [category] = await write(db, (tx) => tx.insert(categories).values({ slug, name: `Notifications test ${categoryCount}`, description: 'For the notifications tests.' }).returning());
  return category!;
}

async function reply(db: Database, userId: number, threadId: number, body: string) {
  // The posting limit (6 a minute) is not what this test is about.
  await write(db, (tx) => tx.delete(throttleEvents).where(eq(throttleEvents.key, `forum-post:${userId}`)));
  const result = await createReply(db, await forumActor(db, userId), { threadId, body });
  if (!result.ok) throw new Error(result.message);
  return result.post;
}

test('a member is told when another mentions them, reading the post answers it, and the rest are marked read at once', async ({ page, signIn, db, systemBrowser, baseURL, expectNoAxeViolations }) => {
  const a = await signIn();
  const aName = await uniqueName(db, a.user.id, 'Ada Mentioned');
  const b = await createMember(db, 'member', 'Mentioning member');
  const category = await openCategory(db);
  const started = await createThread(db, await forumActor(db, a.user.id), { categoryId: category.id, title: 'Referral pathways in the north east', body: 'How do your referrals work?' });
  if (!started.ok) throw new Error(started.message);

  // B, in a browser of their own, finds A's name with the composer's autocomplete.
  const bContext = await systemBrowser.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  const { token } = await createSession(db, b.user.id, { mfaVerified: true });
  await bContext.addCookies([sessionCookie(token, baseURL!)]);
  const bPage = await bContext.newPage();
  await bPage.goto('/notifications');
  await expect(bPage.getByRole('link', { name: 'Notifications', exact: true })).toBeVisible();
  const prefix = aName.slice(0, 8);
  const suggestions = await bPage.evaluate(
    async ({ categoryId, q }) => (await fetch(`/forum/mentions.json?category=${categoryId}&q=${encodeURIComponent(q)}`)).json(),
    { categoryId: category.id, q: prefix },
  );
  expect(suggestions).toContainEqual({ displayName: aName });
  const byThread = await bPage.evaluate(
    async ({ threadId, q }) => (await fetch(`/forum/mentions.json?thread=${threadId}&q=${encodeURIComponent(q)}`)).json(),
    { threadId: started.thread.id, q: aName },
  );
  expect(byThread).toEqual([{ displayName: aName }]);
  // The same question from another site is refused.
  const crossSite = await bPage.request.get(`/forum/mentions.json?category=${category.id}&q=${encodeURIComponent(prefix)}`, { headers: { 'sec-fetch-site': 'cross-site' } });
  expect(crossSite.status()).toBe(403);
  await bContext.close();

  const mention = await reply(db, b.user.id, started.thread.id, `Over to you, @${aName}: what does your force do?`);

  await page.goto('/members');
  const headerLink = page.getByRole('link', { name: 'Notifications (1)' });
  await expect(headerLink).toBeVisible();
  await headerLink.click();
  await expect(page).toHaveURL(/\/notifications$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
  await expect(page.getByText('You have 1 unread notification.')).toBeVisible();
  await expectNoAxeViolations(page);

  const item = page.getByRole('link', { name: `${b.user.displayName} mentioned you in “Referral pathways in the north east”` });
  await expect(item).toHaveAttribute('href', `/forum/t/${started.thread.id}/${started.thread.slug}#post-${mention.postNumber}`);
  await item.click();
  await expect(page).toHaveURL(new RegExp(`/forum/t/${started.thread.id}/${started.thread.slug}#post-${mention.postNumber}$`));
  await expect(page.locator(`#post-${mention.postNumber}`)).toContainText('what does your force do?');
  // Reading the post answers its notification.
  await expect(page.getByRole('link', { name: 'Notifications', exact: true })).toBeVisible();

  // Two more mentions, not opened: "Mark all as read" clears them.
  await reply(db, b.user.id, started.thread.id, `@${aName}, one more thing.`);
  await reply(db, b.user.id, started.thread.id, `And @${aName}, a last one.`);
  await page.goto('/notifications');
  await expect(page.getByText('You have 2 unread notifications.')).toBeVisible();
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await expect(page.getByRole('status')).toHaveText('All your notifications are marked as read.');
  await expect(page.getByText('You have no unread notifications.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Notifications', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: /Notifications \(\d+\)/ })).toHaveCount(0);
});

test('a member mutes a thread they watch, hears nothing, then watches it again and marks one read', async ({ page, signIn, db, expectNoAxeViolations }) => {
  const a = await signIn();
  const aName = await uniqueName(db, a.user.id, 'Mo Muter');
  const b = await createMember(db, 'member', 'Busy poster');
  const category = await openCategory(db);
  const started = await createThread(db, await forumActor(db, a.user.id), { categoryId: category.id, title: 'Night shelters and outreach', body: 'Who runs outreach at night?' });
  if (!started.ok) throw new Error(started.message);

  // Posting watched the thread: it is listed with its level, and a new post there is told.
  await reply(db, b.user.id, started.thread.id, 'We do, on Fridays.');
  await page.goto('/notifications');
  await expect(page.getByRole('link', { name: 'Notifications (1)' })).toBeVisible();
  await expect(page.getByRole('link', { name: `${b.user.displayName} posted in “Night shelters and outreach”` })).toBeVisible();
  const level = page.getByLabel('Notifications for the thread Night shelters and outreach');
  await expect(level).toHaveValue('watching');

  // Mark that one read with its own button.
  await page.getByRole('button', { name: `Mark as read (${b.user.displayName} posted in “Night shelters and outreach”)` }).click();
  await expect(page).toHaveURL(/\/notifications$/);
  await expect(page.getByText('You have no unread notifications.')).toBeVisible();

  // Mute: the next post tells nobody.
  await level.selectOption('muted');
  await page.getByRole('button', { name: 'Save notifications for Night shelters and outreach' }).click();
  await expect(page).toHaveURL(/\/notifications$/);
  await expect(page.getByLabel('Notifications for the thread Night shelters and outreach')).toHaveValue('muted');
  await reply(db, b.user.id, started.thread.id, `Also on Saturdays, @${aName}.`);
  await page.reload();
  await expect(page.getByText('You have no unread notifications.')).toBeVisible();

  // Watch again: the next post is told.
  await page.getByLabel('Notifications for the thread Night shelters and outreach').selectOption('watching');
  await page.getByRole('button', { name: 'Save notifications for Night shelters and outreach' }).click();
  await expect(page.getByLabel('Notifications for the thread Night shelters and outreach')).toHaveValue('watching');
  await reply(db, b.user.id, started.thread.id, 'And Sundays from next month.');
  await page.reload();
  await expect(page.getByRole('link', { name: 'Notifications (1)' })).toBeVisible();
  await expectNoAxeViolations(page);
});

test('a member cannot watch a thread in a category closed to them', async ({ page, signIn, db, baseURL }) => {
  await signIn();
  const pcc = await createMember(db, 'member', 'Commissioner');
  const [restricted] = await write(db, (tx) =>
    tx
      .insert(categories)
      .values({ slug: `notifications-restricted-${process.pid}-${Date.now()}`, name: 'Restricted for the test', description: 'Editors only.', allowedRoles: ['editor'] })
      .returning(),
  );
  const editor = await createMember(db, 'editor', 'Editor');
  const started = await createThread(db, await forumActor(db, editor.user.id), { categoryId: restricted!.id, title: 'Editors only thread', body: `Hello @${pcc.user.displayName}.` });
  if (!started.ok) throw new Error(started.message);
  const response = await page.request.post(`/notifications?_action=notifications.setThreadLevel`, {
    form: { threadId: String(started.thread.id), level: 'watching', next: '/notifications' },
    headers: { origin: baseURL! },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(404);
  expect(await response.text()).toContain('That thread or post does not exist, or you cannot see it.');
  // Nor ask who else can see it.
  const names = await page.request.get(`/forum/mentions.json?category=${restricted!.id}&q=Com`, { headers: { 'sec-fetch-site': 'same-origin' } });
  expect(names.status()).toBe(404);
  expect(names.headers()['cache-control']).toBe('private, no-store');
});

test('typing @ and the start of a name in the reply box suggests members, and choosing one mentions them', async ({ page, signIn, db }) => {
  const a = await signIn();
  const b = await createMember(db, 'member', 'Suggested member');
  const bName = await uniqueName(db, b.user.id, 'Beatrix Suggested');
  const category = await openCategory(db);
  const started = await createThread(db, await forumActor(db, a.user.id), { categoryId: category.id, title: 'Who leads on interpreters?', body: 'Asking for our region.' });
  if (!started.ok) throw new Error(started.message);

  await page.goto(`/forum/t/${started.thread.id}/${started.thread.slug}`);
  const box = page.getByRole('textbox', { name: 'Your reply' });
  await box.click();
  await box.pressSequentially('Thanks @Beatrix Sugg', { delay: 10 });
  const choice = page.getByRole('list', { name: 'Mention a member' }).getByRole('button', { name: `Mention ${bName}` });
  await expect(choice).toBeVisible();
  await choice.click();
  await expect(box).toHaveValue(`Thanks @${bName} `);
  await expect(box).toBeFocused();
  await box.pressSequentially('can you help?');
  await page.getByRole('button', { name: 'Post reply' }).click();
  await expect(page.locator('.forum-post').last()).toContainText('can you help?');

  const notified = await db.query.notifications.findFirst({ where: (n, { and, eq }) => and(eq(n.userId, b.user.id), eq(n.threadId, started.thread.id)) });
  expect(notified?.kind).toBe('mention');
});
