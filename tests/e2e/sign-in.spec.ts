import { generateHOTP } from '@oslojs/otp';
import { test, expect, createMember } from './fixtures.ts';
import { SESSION_COOKIE, validateSessionToken } from '#lib/auth/sessions.ts';

const currentCode = (key: Uint8Array) => generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000)), 6);

test('a member signs in with password and security code, and signs out', async ({ page, db, expectNoAxeViolations }) => {
  const member = await createMember(db);
  await page.goto('/login?next=/guides');
  await expectNoAxeViolations(page);

  await page.getByLabel('Email address').fill(member.user.email);
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText('The email address or password is not right.');
  await expect(page.getByLabel('Email address')).toHaveValue(member.user.email);
  await expect(page.getByLabel('Password')).toHaveValue('');
  await expectNoAxeViolations(page);

  await page.getByLabel('Password').fill(member.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Enter your security code');
  await expectNoAxeViolations(page);
  await page.getByLabel('Security code').fill('000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('not right');
  const sessionToken = async () => (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)?.value;
  const halfSigned = await sessionToken();
  await page.getByLabel('Security code').fill(currentCode(member.totpKey));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/guides$/);
  // A new token once the second factor is given (ASVS 7.2.4); the password-only one is dead.
  const signedIn = await sessionToken();
  expect(signedIn).toBeTruthy();
  expect(signedIn).not.toBe(halfSigned);
  expect((await validateSessionToken(db, halfSigned)).session).toBeNull();
  expect((await validateSessionToken(db, signedIn)).session?.mfaVerified).toBe(true);

  await page.goto('/logout');
  await expect(page.getByRole('banner')).toContainText(member.user.displayName);
  await page.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/logout');
  await expect(page.getByRole('main')).toContainText('You are signed out');
});
