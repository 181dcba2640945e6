import { eq } from 'drizzle-orm';
import { generateHOTP } from '@oslojs/otp';
import { test, expect } from './fixtures.ts';
import { categories, users } from '#db/schema.ts';
import { forumActor } from '#lib/forum/access.ts';
import { startThread } from '#lib/forum/posting.ts';
import { threadPath } from '#lib/forum/urls.ts';

const codeNow = (key: Uint8Array) => generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000)), 6);

test('a member deletes their account: signed out, posts shown as "Former member", and their address can be invited again', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const member = await signIn();
  const category = await db.select().from(categories).where(eq(categories.slug, 'multi-agency-working')).get();
  const started = await startThread(db, await forumActor(db, member.user.id), { categoryId: category!.id, title: `Leaving soon ${Date.now()}`, body: 'Some practice worth keeping after I go.' });
  if (!started.ok) throw new Error(started.message);

  await page.goto('/account');
  await page.getByRole('link', { name: 'Delete my account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Delete my account');
  await expect(page.getByText('What is kept, and why')).toBeVisible();
  await expectNoAxeViolations(page);

  // Without the word, nothing happens.
  await page.getByLabel('Your password').fill(member.password);
  await page.getByLabel('Security code').fill(codeNow(member.totpKey));
  await page.getByLabel('Type DELETE to confirm').fill('delete');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page.locator('#field-confirmation-error')).toContainText('Type DELETE in capital letters');
  expect((await db.select().from(users).where(eq(users.id, member.user.id)).get())!.status).toBe('active');
  await expectNoAxeViolations(page);

  await page.getByLabel('Your password').fill(member.password);
  // The code above was not used (the word was checked first), so it still works.
  await page.getByLabel('Security code').fill(codeNow(member.totpKey));
  await page.getByLabel('Type DELETE to confirm').fill('DELETE');
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/account/delete')),
    page.getByRole('button', { name: 'Delete my account' }).click(),
  ]);
  expect(answer.status()).toBe(303);
  // headers() leaves out security-related headers; allHeaders() has them all.
  expect((await answer.allHeaders())['clear-site-data']).toContain('"storage"');
  await expect(page).toHaveURL(/\/account\/deleted$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account has been deleted');
  await expectNoAxeViolations(page);
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login\?next=/);

  // An administrator sees the thread by "Former member", and invites the address again.
  await signIn('admin');
  await page.goto(threadPath(started.thread));
  await expect(page.locator('article').first()).toContainText('Former member');
  await expect(page.locator('article').first()).toContainText('Some practice worth keeping after I go.');
  await page.goto('/admin/members');
  await page.getByLabel('Email address').fill(member.user.email);
  await page.getByRole('combobox', { name: 'Organisation' }).first().selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Email the invitation' }).click();
  await expect(page.getByRole('status')).toContainText(`Invitation emailed to ${member.user.email}`);
});

test('an administrator erases a member and deletes their posts too', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const { createMember } = await import('./fixtures.ts');
  const leaver = await createMember(db, 'member', 'Asked To Go');
  const category = await db.select().from(categories).where(eq(categories.slug, 'multi-agency-working')).get();
  const started = await startThread(db, await forumActor(db, leaver.user.id), { categoryId: category!.id, title: `Please remove me ${Date.now()}`, body: 'Words the member wants gone.' });
  if (!started.ok) throw new Error(started.message);
  await signIn('admin');

  await page.goto(`/admin/members/${leaver.user.id}`);
  await page.getByLabel('Also delete all their posts').check();
  await page.getByLabel('Type DELETE to confirm').fill('DELETE');
  await page.getByRole('button', { name: `Erase ${leaver.user.displayName}’s account` }).click();
  await expect(page.getByRole('status')).toContainText('The account is erased');
  await expect(page.getByRole('status')).toContainText('1 post was deleted');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Former member');
  await expectNoAxeViolations(page);

  await page.goto(threadPath(started.thread));
  await expect(page.getByRole('main')).not.toContainText('Words the member wants gone.');
});
