import { request as playwrightRequest } from '@playwright/test';
import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { mailKindSettings, mailOutbox } from '#db/schema.ts';
import { write } from '#lib/db.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { unsubscribeToken } from '#lib/mail/tokens.ts';
import { test, expect, createMember, linkIn, sessionCookie, testClientAddress, waitForMail } from './fixtures.ts';

const THREAD = '/forum/t/1/welcome-to-multi-agency-working-read-this-first-demo';

test('a member is mentioned, the email arrives, and its link opens the post', async ({ page, db, signIn, systemBrowser, baseURL }) => {
  const mentioned = await createMember(db, 'member', 'Mentioned member');
  await signIn();
  await page.goto(THREAD);
  await page.getByRole('textbox', { name: 'Your reply' }).fill(`@${mentioned.user.displayName} could you look at the referral steps?`);
  await page.getByRole('button', { name: 'Post reply' }).click();
  await expect(page.getByRole('main')).toContainText('could you look at the referral steps?');

  const mail = await waitForMail(mentioned.user.email, (m) => m.subject.includes('mentioned you'));
  expect(mail.subject).toMatch(/^Test member .+ mentioned you in “Welcome to multi-agency working/);
  // Forum mail names the thread and the poster, not what was written.
  expect(mail.text).not.toContain('referral steps');
  const link = linkIn(mail, 'Read the post');
  expect(link.pathname).toMatch(/^\/forum\/p\/\d+$/);

  // The member follows the link, signed in, and lands on the post.
  const context = await systemBrowser.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  await context.addCookies([sessionCookie((await createSession(db, mentioned.user.id, { mfaVerified: true })).token, baseURL!)]);
  const reader = await context.newPage();
  await reader.goto(link.pathname);
  await expect(reader).toHaveURL(/\/forum\/t\/1\/welcome-to-multi-agency-working-read-this-first-demo(\?page=\d+)?#post-\d+$/);
  const anchor = new URL(reader.url()).hash;
  await expect(reader.locator(anchor)).toContainText('could you look at the referral steps?');
  await context.close();
});

test('a member chooses which emails they get, with the keyboard, and a bad value changes nothing', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const member = await signIn();
  await page.goto('/account');
  await page.getByRole('link', { name: 'Choose which emails you get' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Email settings');
  await expectNoAxeViolations(page);

  const mentions = page.getByRole('group', { name: 'Someone mentions you' });
  await expect(mentions.getByRole('radio', { name: 'Straight away' })).toBeChecked();
  await mentions.getByRole('radio', { name: 'Straight away' }).focus();
  // Arrow keys move through a radio group and choose as they go.
  await page.keyboard.press('ArrowDown');
  await expect(mentions.getByRole('radio', { name: 'In a daily digest' })).toBeChecked();
  await page.getByLabel('Digest time').selectOption('18');
  await page.getByRole('button', { name: 'Save email settings' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toHaveText('Your email settings have been saved.');
  await expect(mentions.getByRole('radio', { name: 'In a daily digest' })).toBeChecked();
  await expect(page.getByLabel('Digest time')).toHaveValue('18');
  await expectNoAxeViolations(page);

  // A value no form offers: an error, the rest of the choices as sent, nothing saved.
  await page.locator('#field-digestHour option').first().evaluate((option: HTMLOptionElement) => (option.value = '99'));
  await page.getByLabel('Digest time').selectOption({ index: 0 });
  await mentions.getByRole('radio', { name: 'Never' }).check();
  await page.getByRole('button', { name: 'Save email settings' }).click();
  await expect(page.getByRole('alert')).toContainText('Digest time: Choose a time from the list');
  await expect(mentions.getByRole('radio', { name: 'Never' })).toBeChecked();
  await expectNoAxeViolations(page);
  const saved = await db.select().from(mailKindSettings).where(eq(mailKindSettings.userId, member.user.id)).all();
  expect(saved.find((s) => s.kind === 'mention')?.cadence).toBe('daily');
});

test('an unsubscribe link works in the browser and by one-click POST, and a forged one does not', async ({ page, db, baseURL, expectNoAxeViolations }) => {
  const member = await createMember(db);
  const token = unsubscribeToken({ userId: member.user.id, scope: 'mention' });
  await page.goto(`/unsubscribe/${token}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Stop these emails');
  await expect(page.getByRole('main')).toContainText('Stop emails about mentions of you?');
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are unsubscribed');
  await expect(page.getByRole('status')).toHaveText('You will no longer get emails about mentions of you.');
  await expectNoAxeViolations(page);
  const cadence = async (kind: 'mention' | 'reply') =>
    (await db.select().from(mailKindSettings).where(eq(mailKindSettings.userId, member.user.id)).all()).find((s) => s.kind === kind)?.cadence;
  expect(await cadence('mention')).toBe('never');

  // RFC 8058: the mail program posts from its own servers, with no cookie and no Origin of ours.
  const mailProgram = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { origin: 'https://mail.example.com' } });
  const replies = unsubscribeToken({ userId: member.user.id, scope: 'reply' });
  const oneClick = await mailProgram.post(`/unsubscribe/${replies}`, { form: { 'List-Unsubscribe': 'One-Click' }, maxRedirects: 0 });
  expect(oneClick.status()).toBe(200);
  expect(await cadence('reply')).toBe('never');
  const forged = replies.replace(`${member.user.id}.`, `${member.user.id + 1}.`);
  expect((await mailProgram.post(`/unsubscribe/${forged}`, { form: { 'List-Unsubscribe': 'One-Click' } })).status()).toBe(404);
  await mailProgram.dispose();

  const missing = await page.goto(`/unsubscribe/${forged}`);
  expect(missing!.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This unsubscribe link does not work');
  await expectNoAxeViolations(page);
});

test('an administrator sees failed mail with the server’s reason, tries again, and reads kept mail', async ({ page, db, signIn, expectNoAxeViolations }) => {
  await signIn('admin');
  const member = await createMember(db);
  const now = new Date();
  const [failed, kept] = await write(db, (tx) =>
    tx
      .insert(mailOutbox)
      .values([
        { kind: 'password-changed', userId: member.user.id, payload: { how: 'changed' }, messageKey: randomUUID(), status: 'failed', attempts: 1, nextAttemptAt: now, doneAt: now, lastError: '550 5.1.1 Mailbox unavailable', toAddress: member.user.email },
        { kind: 'password-changed', userId: member.user.id, payload: { how: 'changed' }, messageKey: randomUUID(), status: 'kept', attempts: 1, nextAttemptAt: now, doneAt: now, toAddress: member.user.email, keptText: `To: ${member.user.email}\nSubject: Your password was changed\n\nHello,` },
      ])
      .returning(),
  );

  await page.goto('/admin/outbox?status=failed');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Outbox');
  const row = page.getByRole('row').filter({ hasText: '550 5.1.1 Mailbox unavailable' });
  await expect(row).toContainText(member.user.email);
  await expectNoAxeViolations(page);
  await row.getByRole('button', { name: `Try again to send the your password was changed email to ${member.user.email}` }).click();
  await expect(page.getByRole('status')).toHaveText('The message is queued to be sent again.');
  // The worker sends it to the test SMTP server this time.
  await waitForMail(member.user.email, (m) => m.subject === 'Your password was changed');
  expect((await db.select().from(mailOutbox).where(eq(mailOutbox.id, failed!.id)).get())!.status).toBe('sent');

  await page.goto('/admin/outbox?status=kept');
  await page.getByRole('link', { name: `Read the your password was changed email to ${member.user.email}` }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/outbox/${kept!.id}$`));
  await expect(page.getByRole('main')).toContainText('Subject: Your password was changed');
  await expectNoAxeViolations(page);
  // Sent mail is never shown.
  expect((await page.goto(`/admin/outbox/${failed!.id}`))!.status()).toBe(404);
});
