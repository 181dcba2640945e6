import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import type { Page } from '@playwright/test';
import { test, expect, createMember, waitForMail, type TestMember } from './fixtures.ts';

const step = () => Math.floor(Date.now() / 30_000);
/** The code an authenticator app shows now. */
const codeNow = (key: Uint8Array) => generateHOTP(key, BigInt(step()), 6);
/**
 * The code for the next 30 seconds: the portal accepts one step either side for clock
 * drift, and a step already used (to finish setting up) is refused, so a test that signs in
 * straight after setting up an app uses the next one.
 */
const codeNext = (key: Uint8Array) => generateHOTP(key, BigInt(step() + 1), 6);

/** Reads the key the set-up page shows as text, as a person typing it into their app would. */
async function keyFromPage(page: Page) {
  const text = (await page.locator('#totp-secret').textContent()) ?? '';
  return decodeBase32IgnorePadding(text.replace(/\s/g, ''));
}

async function signInWithPassword(page: Page, member: TestMember) {
  await page.goto('/login');
  await page.getByLabel('Email address').fill(member.user.email);
  await page.getByLabel('Password').fill(member.password);
  await page.getByRole('button', { name: 'Continue' }).click();
}

test('a member moves their authenticator app to a new phone, and codes from the old one stop working at once', async ({ page, signIn, expectNoAxeViolations }) => {
  const member = await signIn();
  await page.goto('/account');
  await page.getByRole('link', { name: 'Move your authenticator app to a new phone' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Move your authenticator app to a new phone');
  await expectNoAxeViolations(page);

  // A wrong password: refused, nothing changes.
  await page.getByLabel('Your password').fill('not my password at all');
  await page.getByLabel('Security code').fill(codeNow(member.totpKey));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.locator('#field-password-error')).toContainText('Your password is not right');

  await page.getByLabel('Your password').fill(member.password);
  await page.getByLabel('Security code').fill(codeNow(member.totpKey));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByText('Now set up the app on your new phone')).toBeVisible();
  await expectNoAxeViolations(page);
  const newKey = await keyFromPage(page);

  // A code from the old phone does not prove the new one.
  await page.getByLabel('Code from your new app').fill(codeNow(member.totpKey));
  await page.getByRole('button', { name: 'Use the new phone' }).click();
  await expect(page.locator('#field-code-error')).toContainText('not right');
  // The same key is still offered after the mistake.
  expect(await keyFromPage(page)).toEqual(newKey);

  await page.getByLabel('Code from your new app').fill(codeNow(newKey));
  await page.getByRole('button', { name: 'Use the new phone' }).click();
  await expect(page).toHaveURL(/\/account\?done=authenticator$/);
  await expect(page.getByRole('status')).toContainText('Your authenticator app has moved to the new phone');
  const notice = await waitForMail(member.user.email, (m) => m.subject === 'Your authenticator app was changed');
  expect(notice.text).toContain('A new authenticator app was set up for your account');

  // Signing in again: the old phone's code is refused, the new phone's works.
  await page.context().clearCookies();
  await signInWithPassword(page, member);
  await page.getByLabel('Security code').fill(codeNext(member.totpKey));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('not right');
  await page.getByLabel('Security code').fill(codeNext(newKey));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/members$/);
});

test('an administrator resets a member’s second factor; the member sets up a new app at their next sign-in', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const member = await createMember(db, 'member', 'Lost Phone');
  const admin = await signIn('admin');

  // Their own account offers no reset.
  await page.goto(`/admin/members/${admin.user.id}`);
  await expect(page.getByRole('button', { name: /second factor/ })).toHaveCount(0);
  await expect(page.getByText('You cannot reset your own second factor')).toBeVisible();

  await page.goto(`/admin/members/${member.user.id}`);
  await expect(page.getByText('call them back on a number you already know')).toBeVisible();
  await page.getByRole('button', { name: `Reset ${member.user.displayName}’s second factor` }).click();
  await expect(page.getByRole('status')).toContainText('authenticator app and recovery codes are removed');
  await expectNoAxeViolations(page);
  const notice = await waitForMail(member.user.email, (m) => m.subject === 'Your authenticator app was changed');
  expect(notice.text).toContain('A network administrator reset the authenticator app of your account');

  // The audit log shows it.
  await page.goto(`/admin/audit?action=member-mfa-reset`);
  await expect(page.getByRole('main')).toContainText('member-mfa-reset');

  // The member signs in with their password and goes straight to setting up a new app.
  await page.context().clearCookies();
  await signInWithPassword(page, member);
  await expect(page).toHaveURL(/\/account\/mfa-setup/);
  const key = await keyFromPage(page);
  await page.getByLabel('Code from your app').fill(codeNow(key));
  await page.getByRole('button', { name: 'Finish setting up' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Save your recovery codes');
});
