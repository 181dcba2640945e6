import { and, eq } from 'drizzle-orm';
import type { Page } from '@playwright/test';
import { test, expect, createMember, sessionCookie, testClientAddress, type TestMember } from './fixtures.ts';
import { fixtures } from './test-content.ts';
import { auditLog, categories, organisations, posts, readStates, reports, threads, users } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { clearThrottle } from '#lib/auth/throttle.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { forumActor } from '#lib/forum/access.ts';
import { createReply, createThread } from '#lib/forum/posting.ts';
import { markRead } from '#lib/forum/threads.ts';
import { threadPath } from '#lib/forum/urls.ts';

/**
 * The members' forum in the browser: starting threads, replying with quotes, permalinks
 * and pages, editing with history, deleting, reporting, the safeguarding check, locked
 * threads, restricted categories, guide discussions, and the composer with and without
 * JavaScript. Threads are set up through src/lib/forum (each test its own), so every test
 * shows one flow.
 */

async function categoryId(db: Database, slug: string): Promise<number> {
  return (await db.select({ id: categories.id }).from(categories).where(eq(categories.slug, slug)).get())!.id;
}

/** A thread started by `member` through the lib, past the posting limit. */
async function seedThread(db: Database, member: TestMember, slug: string, title: string, body = 'The first post of a test thread.') {
  await clearThrottle(db, `forum-post:${member.user.id}`);
  const result = await createThread(db, await forumActor(db, member.user.id), { categoryId: await categoryId(db, slug), title, body });
  if (!result.ok) throw new Error(result.message);
  return { thread: result.thread, postId: result.postId };
}

async function seedReply(db: Database, member: TestMember, threadId: number, body: string) {
  await clearThrottle(db, `forum-post:${member.user.id}`);
  const result = await createReply(db, await forumActor(db, member.user.id), { threadId, body });
  if (!result.ok) throw new Error(result.message);
  return result.post;
}

const postBox = (page: Page) => page.getByRole('textbox', { name: /^Your (post|reply)$/ });

test('a member starts a thread: a bad title and body get messages, the text is kept, then it posts', async ({ page, signIn, expectNoAxeViolations }) => {
  await signIn();
  await page.goto('/forum');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Forum');
  await expect(page.getByRole('link', { name: 'Victim identification and the NRM' })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole('link', { name: 'Multi-agency working' }).click();
  await expect(page).toHaveURL('/forum/multi-agency-working');
  // Pinned first, whatever its last activity.
  await expect(page.locator('.forum-threads tbody tr').first()).toContainText('Pinned');
  await expectNoAxeViolations(page);

  await page.getByRole('link', { name: 'Start a new thread in Multi-agency working' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Start a thread in Multi-agency working');
  await expectNoAxeViolations(page);

  await page.getByLabel('Title').fill('Hi');
  await page.getByRole('button', { name: 'Start thread' }).click();
  await expect(page.getByRole('alert')).toContainText('There is a problem');
  await expect(page.locator('#field-title-error')).toContainText('at least 5 characters');
  await expect(page.locator('#field-body-error')).toContainText('Write something before posting');
  await expect(page.getByLabel('Title')).toHaveValue('Hi');
  await expectNoAxeViolations(page);

  const title = 'Joint visits with housing officers (e2e)';
  const tooLong = `Too long. ${'x'.repeat(20_000)}`;
  await page.getByLabel('Title').fill(title);
  await postBox(page).fill(tooLong);
  await page.getByRole('button', { name: 'Start thread' }).click();
  await expect(page.locator('#field-body-error')).toContainText('20,000 characters or fewer');
  await expect(page.getByLabel('Title')).toHaveValue(title);
  await expect(postBox(page)).toHaveValue(tooLong);

  await postBox(page).fill('How do you arrange **joint visits** with housing officers?\n\n- before a warrant\n- after a welfare check');
  await page.getByRole('button', { name: 'Start thread' }).click();
  await expect(page).toHaveURL(/\/forum\/t\/\d+\/joint-visits-with-housing-officers-e2e$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  const first = page.locator('#post-1');
  await expect(first.getByRole('heading', { level: 2 })).toHaveText(/^Post 1 by Test member \d+-\d+$/);
  await expect(first.locator('strong')).toHaveText('joint visits');
  await expect(first.locator('.forum-post__body li')).toHaveText(['before a warrant', 'after a welfare check']);
  await expectNoAxeViolations(page);

  await page.goto('/forum/multi-agency-working');
  await expect(page.getByRole('link', { name: title })).toBeVisible();
});

test('on a phone-sized screen a thread page passes axe: breadcrumb links are large enough to tap', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const me = await signIn();
  const { thread } = await seedThread(db, me, 'multi-agency-working', 'A thread with a long title, so that its breadcrumbs wrap onto several lines on a phone');
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(threadPath(thread));
  for (const link of await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link').all()) {
    expect((await link.boundingBox())!.height).toBeGreaterThanOrEqual(24);
  }
  await expectNoAxeViolations(page);
});

test('another member replies quoting the first post, and the reply is at its permalink', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const alice = await createMember(db, 'member', 'Alice');
  const { thread } = await seedThread(db, alice, 'victim-identification-and-the-nrm', 'Briefing interpreters before interviews (e2e)', 'Brief the interpreter before the interview.\n\nAnd after it, too.');
  await signIn();
  await page.goto(threadPath(thread));
  await page.getByRole('link', { name: 'Quote post 1' }).click();
  await expect(page).toHaveURL(`${threadPath(thread)}?quote=1#reply`);
  const box = postBox(page);
  await expect(box).toHaveValue(/^Alice \d+\\-\d+ wrote in \[post 1\]\(\/forum\/p\/\d+\):\n\n> Brief the interpreter before the interview\.\n>\n> And after it, too\.\n\n$/);
  await expect(page.getByText('Replying to post 1 by Alice')).toBeVisible();

  await box.fill(`${await box.inputValue()}We do it the day before, by phone.`);
  await page.getByRole('button', { name: 'Post reply' }).click();
  await expect(page).toHaveURL(new RegExp(`${threadPath(thread)}#post-2$`));
  const reply = page.locator('#post-2');
  await expect(reply.locator('blockquote')).toContainText('Brief the interpreter before the interview.');
  await expect(reply).toContainText('We do it the day before, by phone.');
  await expect(reply.locator('.forum-post__meta').getByRole('link', { name: 'post 1', exact: true })).toHaveAttribute('href', `${threadPath(thread)}#post-1`);
  await expectNoAxeViolations(page);

  const replyRow = (await db.select().from(posts).where(and(eq(posts.threadId, thread.id), eq(posts.postNumber, 2))).get())!;
  expect(replyRow.replyToPostNumber).toBe(1);
  await page.goto('/');
  await page.goto(`/forum/p/${replyRow.id}`);
  await expect(page).toHaveURL(new RegExp(`${threadPath(thread)}#post-2$`));
  await expect(page.locator('#post-2')).toBeInViewport();
});

test('long threads come in pages of 20; permalinks and "jump to first unread" land on the right page and post', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const starter = await createMember(db, 'member', 'Starter');
  const { thread } = await seedThread(db, starter, 'regional-networks', 'A long thread about regional meetings (e2e)');
  const replies = [];
  for (let i = 2; i <= 26; i += 1) replies.push(await seedReply(db, starter, thread.id, `Reply number ${i} in the long thread.`));
  const me = await signIn();
  await write(db, (tx) => markRead(tx, me.user.id, thread.id, 22));

  await page.goto(threadPath(thread));
  await expect(page.locator('article.forum-post')).toHaveCount(20);
  await expect(page.getByRole('navigation', { name: 'Pages of posts' }).first()).toContainText('Page 1 of 2');
  await page.getByRole('link', { name: 'Jump to the first unread post (post 23)' }).click();
  await expect(page).toHaveURL(`${threadPath(thread, 2)}#post-23`);
  await expect(page.locator('article.forum-post')).toHaveCount(6);
  await expect(page.locator('#post-21')).toBeVisible();
  await expect(page.locator('.forum-unread-marker')).toHaveText('Unread posts start here');
  await expect(page.locator('#post-23')).toBeInViewport();
  await expectNoAxeViolations(page);

  // Having seen page 2, the member has read everything.
  const readUpTo = await db.select().from(readStates).where(and(eq(readStates.userId, me.user.id), eq(readStates.threadId, thread.id))).get();
  expect(readUpTo?.lastReadPostNumber).toBe(26);
  await page.goto(threadPath(thread));
  await expect(page.getByRole('link', { name: /Jump to the first unread/ })).toHaveCount(0);

  // Permalinks: post 21 is on page 2, post 5 on page 1.
  await page.goto(`/forum/p/${replies[19]!.id}`);
  await expect(page).toHaveURL(`${threadPath(thread, 2)}#post-21`);
  await expect(page.locator('#post-21')).toBeInViewport();
  await page.goto(`/forum/p/${replies[3]!.id}`);
  await expect(page).toHaveURL(`${threadPath(thread)}#post-5`);
  await expect(page.locator('#post-5')).toBeInViewport();

  // An old address with a wrong title part or a page past the end still lands on the thread.
  await page.goto(`/forum/t/${thread.id}/old-title?page=9`);
  await expect(page).toHaveURL(threadPath(thread));
  await page.getByRole('navigation', { name: 'Pages of posts' }).first().getByRole('link', { name: 'Next page' }).click();
  await expect(page).toHaveURL(threadPath(thread, 2));
});

test('a member edits their post, and every member can read the history with who and when', async ({ page, db, signIn, systemBrowser, baseURL, expectNoAxeViolations }) => {
  const me = await signIn();
  const { thread, postId } = await seedThread(db, me, 'awareness-campaigns', 'Posters at bus stations (e2e)', 'We put up posters in three languages.');
  await page.goto(threadPath(thread));
  await page.getByRole('link', { name: 'Edit post 1' }).click();
  await expect(page).toHaveURL(`/forum/p/${postId}/edit`);
  await expect(postBox(page)).toHaveValue('We put up posters in three languages.');
  await expectNoAxeViolations(page);

  await postBox(page).fill('');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('#field-body-error')).toContainText('Write something before posting');

  await postBox(page).fill('We put up posters in **four** languages.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(`${threadPath(thread)}#post-1`);
  await expect(page.locator('#post-1 strong')).toHaveText('four');
  await page.getByRole('link', { name: 'Edited: see history of post 1' }).click();
  await expect(page).toHaveURL(`/forum/p/${postId}/history`);
  const versions = page.locator('.forum-history__version');
  await expect(versions).toHaveCount(2);
  await expect(versions.nth(0).getByRole('heading')).toHaveText('Version 2 (current)');
  await expect(versions.nth(0)).toContainText(`Edited by ${me.user.displayName} on`);
  await expect(versions.nth(0)).toContainText('We put up posters in four languages.');
  await expect(versions.nth(1).getByRole('heading')).toHaveText('Version 1');
  await expect(versions.nth(1)).toContainText(`Posted by ${me.user.displayName} on`);
  await expect(versions.nth(1)).toContainText('We put up posters in three languages.');
  await expectNoAxeViolations(page);

  // Another member reads the history too, but cannot open the post's edit page.
  const other = await createMember(db);
  const { token } = await createSession(db, other.user.id, { mfaVerified: true });
  const context = await systemBrowser.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  await context.addCookies([sessionCookie(token, baseURL!)]);
  const theirs = await context.newPage();
  await theirs.goto(`/forum/p/${postId}/history`);
  await expect(theirs.locator('.forum-history__version')).toHaveCount(2);
  await theirs.goto(threadPath(thread));
  await expect(theirs.getByRole('link', { name: 'Edit post 1' })).toHaveCount(0);
  const refused = await theirs.goto(`/forum/p/${postId}/edit`);
  expect(refused?.status()).toBe(403);
  await expect(theirs.locator('[data-refusal]')).toHaveText('You can only edit your own posts.');
  const post = theirs.request.post(`/forum/p/${postId}/edit?_action=forum.editPost`, { form: { postId: String(postId), body: 'Not mine' }, headers: { origin: baseURL! } });
  expect((await post).status()).toBe(403);
  await context.close();
  expect((await db.select().from(posts).where(eq(posts.id, postId)).get())!.raw).toBe('We put up posters in **four** languages.');
  const audits = await db.select().from(auditLog).where(and(eq(auditLog.actorId, other.user.id), eq(auditLog.action, 'forum-post-edit'))).all();
  expect(audits.map((a) => a.outcome)).toEqual(['refused', 'refused']);
});

test('a member deletes their own post, and a placeholder takes its place', async ({ page, db, signIn }) => {
  const me = await signIn();
  const { thread } = await seedThread(db, me, 'awareness-campaigns', 'A thread with a post I regret (e2e)');
  await seedReply(db, me, thread.id, 'Something I should not have written.');
  await page.goto(threadPath(thread));
  await page.getByRole('link', { name: 'Delete post 2' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Delete post 2');
  await page.getByRole('button', { name: 'Yes, delete this post' }).click();
  await expect(page).toHaveURL(`${threadPath(thread)}#post-2`);
  await expect(page.locator('#post-2')).toContainText('This post was deleted by its author.');
  await expect(page.locator('#post-2')).not.toContainText('Something I should not have written.');
  await expect(page.locator('#post-2').getByRole('link', { name: /Edit|Quote|Reply/ })).toHaveCount(0);
  await expect(page.locator('.forum-thread__meta')).toContainText('0 replies');
});

test('a member reports a post with a reason', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const author = await createMember(db);
  const { thread, postId } = await seedThread(db, author, 'multi-agency-working', 'A post that needs a moderator (e2e)', 'A post that gives too much away.');
  const me = await signIn();
  await page.goto(threadPath(thread));
  await page.getByRole('link', { name: 'Report post 1' }).click();
  await expect(page).toHaveURL(`/forum/p/${postId}/report`);
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect(page.locator('#field-reason-error')).toContainText('at least 5 characters');
  await page.getByLabel('Why are you reporting this post?').fill('It could identify the person involved.');
  await page.getByRole('button', { name: 'Send report' }).click();
  await expect(page.getByRole('status')).toContainText('Your report has gone to the moderators');
  const [report] = await db.select().from(reports).where(eq(reports.postId, postId)).all();
  expect(report).toMatchObject({ reporterId: me.user.id, reason: 'It could identify the person involved.', resolvedAt: null });
});

test('the safeguarding check warns about a victim’s personal data; the author confirms and it is audited', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const me = await signIn();
  await page.goto('/forum/victim-identification-and-the-nrm/new');
  await page.getByLabel('Title').fill('Support for a young man found at a car wash (e2e)');
  const body = 'He was born on 14/07/2001 and his phone is 07700 900123. What support is there locally?';
  await postBox(page).fill(body);
  await page.getByRole('button', { name: 'Start thread' }).click();

  const warning = page.locator('[data-safeguarding-warning]');
  await expect(warning.getByRole('heading')).toHaveText('Check for personal data before posting');
  await expect(warning.locator('li')).toHaveText(['a date of birth: 14/07/2001', 'a UK phone number: 07700 900123']);
  await expect(page.locator('#field-body-error')).toContainText('may contain a victim’s personal data');
  await expect(postBox(page)).toHaveValue(body);
  await expectNoAxeViolations(page);

  // Editing it out passes; here the author confirms instead.
  await warning.getByRole('button', { name: 'I have checked it: post anyway' }).click();
  await expect(page).toHaveURL(/\/forum\/t\/\d+\/support-for-a-young-man/);
  await expect(page.locator('#post-1')).toContainText('What support is there locally?');
  const [entry] = await db.select().from(auditLog).where(and(eq(auditLog.actorId, me.user.id), eq(auditLog.action, 'safeguarding-confirm'))).all();
  expect(entry).toMatchObject({ outcome: 'success', targetType: 'post' });
  expect(entry!.detail).toMatchObject({ kinds: ['date-of-birth', 'phone-number'] });
  expect(JSON.stringify(entry)).not.toMatch(/07700|2001|car wash/);

  // A reply with the details taken out goes straight through.
  await postBox(page).fill('Crime reference 43/123456/24 has the details.');
  await page.getByRole('button', { name: 'Post reply' }).click();
  await expect(page.locator('[data-safeguarding-warning] li')).toHaveText(['a crime reference number: Crime reference 43/123456/24']);
  await postBox(page).fill('The details are with the officer in the case.');
  await page.getByRole('button', { name: 'Post reply' }).click();
  await expect(page.locator('#post-2')).toContainText('The details are with the officer in the case.');
});

test('a locked thread refuses a reply with a message and keeps the text', async ({ page, db, signIn }) => {
  const author = await createMember(db);
  const { thread } = await seedThread(db, author, 'regional-networks', 'A thread about to be locked (e2e)');
  await signIn();
  // The composer's scripts arrive late: what is typed before they run is kept.
  await page.route(/\/_astro\/.+\.js$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await route.continue();
  });
  await page.goto(threadPath(thread), { waitUntil: 'domcontentloaded' });
  await postBox(page).fill('My reply, written while a moderator locked the thread.');
  await expect(page.getByRole('button', { name: 'Show preview' })).toBeVisible();
  await expect(postBox(page)).toHaveValue('My reply, written while a moderator locked the thread.');
  await write(db, (tx) => tx.update(threads).set({ locked: true }).where(eq(threads.id, thread.id)));
  await page.getByRole('button', { name: 'Post reply' }).click();
  await expect(page.getByRole('alert')).toContainText('This thread is locked: it no longer takes replies. Your text is kept below.');
  await expect(postBox(page)).toHaveValue('My reply, written while a moderator locked the thread.');
  expect((await db.select().from(threads).where(eq(threads.id, thread.id)).get())!.highestPostNumber).toBe(1);

  await page.goto(threadPath(thread));
  await expect(page.locator('[data-thread-locked]')).toBeVisible();
  await expect(postBox(page)).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Quote post 1' })).toHaveCount(0);
});

test('posting too fast is refused with 429, how long to wait, and the text kept', async ({ page, db, signIn, baseURL }) => {
  const me = await signIn();
  const { thread } = await seedThread(db, me, 'regional-networks', 'A thread for a fast typist (e2e)'); // its first post counts
  const send = (body: string) =>
    page.request.post(`${threadPath(thread)}?_action=forum.reply`, { form: { threadId: String(thread.id), body }, headers: { origin: baseURL! }, maxRedirects: 0 });
  for (let i = 2; i <= 6; i += 1) expect((await send(`Quick reply ${i}`)).status()).toBe(303);
  const seventh = await send('The seventh post in a minute.');
  expect(seventh.status()).toBe(429);
  expect(Number(seventh.headers()['retry-after'])).toBeGreaterThan(0);
  const html = await seventh.text();
  expect(html).toContain('You are posting too quickly.');
  expect(html).toContain('The seventh post in a minute.');
  expect((await db.select().from(threads).where(eq(threads.id, thread.id)).get())!.highestPostNumber).toBe(6);
});

test('a restricted category is invisible to an outsider, and its thread is not found even by id', async ({ page, db, signIn, baseURL }) => {
  const insider = await createMember(db); // the fixtures' organisation is a PCC's office
  const { thread, postId } = await seedThread(db, insider, 'pccs-and-chiefs', 'Precept planning for next year (e2e)');
  const open = await seedThread(db, insider, 'multi-agency-working', 'An open thread to post from (e2e)');
  const outsider = await signIn();
  const charity = (await db.select().from(organisations).where(eq(organisations.type, 'charity')).get())!;
  await write(db, (tx) => tx.update(users).set({ organisationId: charity.id }).where(eq(users.id, outsider.user.id)));

  await page.goto('/forum');
  await expect(page.getByRole('link', { name: 'Multi-agency working' })).toBeVisible();
  await expect(page.getByText('PCCs and chiefs')).toHaveCount(0);
  for (const path of ['/forum/pccs-and-chiefs', '/forum/pccs-and-chiefs/new', threadPath(thread), `/forum/t/${thread.id}`, `/forum/p/${postId}`, `/forum/p/${postId}/history`, `/forum/p/${postId}/report`]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByText('Precept planning')).toHaveCount(0);
  }
  // A reply form with the thread id changed to the restricted thread's.
  const tampered = await page.request.post(`${threadPath(open.thread)}?_action=forum.reply`, {
    form: { threadId: String(thread.id), body: 'Getting in through the back door' },
    headers: { origin: baseURL! },
  });
  expect(tampered.status()).toBe(404);
  expect(await tampered.text()).toContain('Getting in through the back door'); // the form comes back with the text
  expect((await db.select().from(threads).where(eq(threads.id, thread.id)).get())!.highestPostNumber).toBe(1);
  const refusals = await db.select().from(auditLog).where(and(eq(auditLog.actorId, outsider.user.id), eq(auditLog.action, 'forum-reply'))).all();
  expect(refusals).toEqual([expect.objectContaining({ outcome: 'refused', targetType: 'thread', targetId: String(thread.id) })]);

  // The insider sees the category.
  const { token } = await createSession(db, insider.user.id, { mfaVerified: true });
  await page.context().addCookies([sessionCookie(token, baseURL!)]);
  await page.goto(threadPath(thread));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Precept planning for next year (e2e)');
});

const { currentGuide, membersGuide } = fixtures;

test('"Discuss this guide" starts the guide’s thread, then reopens the same one', async ({ page, db, signIn }) => {
  // Anonymous visitors on a public guide are sent to sign in, and nothing is created.
  await page.goto(currentGuide.url);
  await page.getByRole('button', { name: 'Discuss this guide (members)' }).click();
  await expect(page).toHaveURL(`/login?next=${encodeURIComponent(`/forum/discuss?guide=${encodeURIComponent(currentGuide.key)}`)}`);
  expect(await db.select().from(threads).where(eq(threads.guideKey, currentGuide.key)).get()).toBeUndefined();

  await signIn();
  // A members' guide: the button, and the reply count once there is a discussion.
  const guidePage = membersGuide.url;
  await page.goto(guidePage);
  await expect(page.locator('.forum-discuss')).toContainText('No one has discussed this guide in the members’ forum yet.');
  await page.getByRole('button', { name: 'Discuss this guide' }).click();
  await expect(page).toHaveURL(/\/forum\/t\/\d+\/fixture-guide-for-members-the-whimbrel-exercise-plan$/);
  const threadUrl = page.url();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(membersGuide.title);
  await expect(page.locator('.forum-guide')).toContainText('This thread discusses the members-only practice guide');
  await expect(page.locator('.forum-guide a')).toHaveAttribute('href', guidePage);
  await postBox(page).fill('We ran this exercise in March; the debrief template worked well.');
  await page.getByRole('button', { name: 'Post reply' }).click();
  await expect(page.locator('#post-2')).toBeVisible();

  await page.goto(guidePage);
  await expect(page.locator('[data-guide-replies]')).toContainText('1 reply so far');
  await page.getByRole('button', { name: 'Discuss this guide' }).click();
  await expect(page).toHaveURL(threadUrl);
  expect(await db.select().from(threads).where(eq(threads.guideKey, membersGuide.key)).all()).toHaveLength(1);

  // A public guide's page is static: the same POST button, for members.
  await page.goto(currentGuide.url);
  await page.getByRole('button', { name: 'Discuss this guide (members)' }).click();
  await expect(page).toHaveURL(/\/forum\/t\/\d+\//);
  const publicThread = page.url();
  await expect(page.locator('.forum-guide a')).toHaveAttribute('href', currentGuide.url);
  await page.goto(currentGuide.url);
  await page.getByRole('button', { name: 'Discuss this guide (members)' }).click();
  await expect(page).toHaveURL(publicThread);
  expect(await db.select().from(threads).where(eq(threads.guideKey, currentGuide.key)).all()).toHaveLength(1);
});

test('signing out clears the drafts this browser kept, so the next person at a shared computer cannot read them', async ({ page, signIn }) => {
  const drafts = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('nmsn-forum-draft:')));
  for (const signOut of ['from the sign-out page', 'from the account page']) {
    const me = await signIn();
    await page.goto('/forum/awareness-campaigns/new');
    await postBox(page).fill(`A confidential draft, signed out ${signOut}.`);
    await expect.poll(drafts).toEqual([expect.stringMatching(`^nmsn-forum-draft:${me.user.id}:new:`)]);
    await page.goto(signOut === 'from the sign-out page' ? '/logout' : '/account');
    await page.getByRole('main').getByRole('button', { name: /^Sign out( of this device)?$/ }).click();
    await expect(page).toHaveURL('/');
    expect(await drafts(), signOut).toEqual([]);
  }
});

test('the composer previews with the server’s rendering and keeps a draft; without JavaScript the form still works', async ({ page, db, signIn, systemBrowser, baseURL }) => {
  const me = await signIn();
  await page.goto('/forum/awareness-campaigns/new');
  const box = postBox(page);
  await box.fill('## Our plan\n\n[Campaign page](https://example.org/campaign) and <script>alert(1)</script>\n\nPlain words.');
  await page.getByRole('button', { name: 'Show preview' }).click();
  const preview = page.locator('[data-preview-body]');
  await expect(preview.locator('h4')).toHaveText('Our plan');
  await expect(preview.getByRole('link', { name: 'Campaign page' })).toHaveAttribute('rel', 'nofollow ugc noopener');
  await expect(preview).toContainText('Plain words.');
  await expect(preview.locator('script')).toHaveCount(0);
  await box.fill('Ring me on 07700 900123');
  await expect(page.locator('.composer__preview-findings')).toContainText('a UK phone number');
  await expect(preview).toContainText('Ring me on 07700 900123');

  // The draft survives leaving the page.
  await box.fill('A draft I will finish later.');
  const draftKey = `nmsn-forum-draft:${me.user.id}:new:`;
  await expect.poll(() => page.evaluate((prefix) => Object.entries(localStorage).find(([k]) => k.startsWith(prefix))?.[1] ?? '', draftKey)).toContain('A draft I will finish later.');
  await page.goto('/forum');
  await page.goto('/forum/awareness-campaigns/new');
  await expect(postBox(page)).toHaveValue('A draft I will finish later.');
  await expect(page.getByRole('status').filter({ hasText: 'We restored the text you had not posted yet.' })).toBeVisible();

  // The preview endpoint refuses other sites and signed-out callers.
  const crossSite = await page.request.post('/forum/preview', { data: { body: 'x' }, headers: { origin: 'https://evil.example' } });
  expect(crossSite.status()).toBe(403);

  // Without JavaScript: a plain textarea, and replying works.
  const { thread } = await seedThread(db, me, 'awareness-campaigns', 'Replying without JavaScript (e2e)');
  const { token } = await createSession(db, me.user.id, { mfaVerified: true });
  const context = await systemBrowser.newContext({ baseURL, javaScriptEnabled: false, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  await context.addCookies([sessionCookie(token, baseURL!)]);
  const plain = await context.newPage();
  await plain.goto(threadPath(thread));
  await expect(plain.getByRole('button', { name: 'Show preview' })).toHaveCount(0);
  await plain.getByRole('link', { name: 'Quote post 1' }).click();
  await expect(postBox(plain)).toHaveValue(/> The first post of a test thread\./);
  await postBox(plain).fill('Posted from a browser with JavaScript switched off.');
  await plain.getByRole('button', { name: 'Post reply' }).click();
  await expect(plain).toHaveURL(`${threadPath(thread)}#post-2`);
  await expect(plain.locator('#post-2')).toContainText('Posted from a browser with JavaScript switched off.');
  await plain.goto('/forum/awareness-campaigns/new');
  await plain.getByLabel('Title').fill('A thread started without JavaScript (e2e)');
  await postBox(plain).fill('It works.');
  await plain.getByRole('button', { name: 'Start thread' }).click();
  await expect(plain.getByRole('heading', { level: 1 })).toHaveText('A thread started without JavaScript (e2e)');
  await context.close();
});
