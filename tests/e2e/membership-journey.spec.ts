import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { test, expect, linkIn, testClientAddress, waitForMail } from './fixtures.ts';
import { fixtures } from './test-content.ts';

const { url: MEMBERS_GUIDE, sentence: MEMBERS_SENTENCE, title: MEMBERS_GUIDE_TITLE, words: MEMBERS_WORDS } = fixtures.membersGuide;
const PASSWORD = 'lighthouse marmalade cobalt orchard';

/** The code an authenticator app shows `stepsAhead` periods from now (a new step: codes work once). */
const code = (key: Uint8Array, stepsAhead = 0) => generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000) + stepsAhead), 6);

test('an admin invites a newcomer by email, who joins with MFA, signs in, reads and finds the members guide, and signs out', async ({
  page,
  signIn,
  systemBrowser,
  baseURL,
  expectNoAxeViolations,
}) => {
  // The administrator invites.
  await signIn('admin');
  const email = `newcomer-${Date.now()}@example.org`;
  await page.goto('/admin/members');
  await page.getByLabel('Email address').fill(email);
  await page.locator('#field-role').selectOption({ label: 'Member' });
  await page.locator('#field-organisationId').selectOption({ label: 'Demo Freedom Support Charity' });
  await page.getByRole('button', { name: 'Email the invitation' }).click();
  await expect(page.getByRole('status')).toContainText(`Invitation emailed to ${email}`);

  // The invitation arrives at the SMTP server; the newcomer, in their own browser, follows its link.
  const mail = await waitForMail(email);
  expect(mail.subject).toMatch(/ invited you to join the National Modern Slavery Network$/);
  expect(mail.text).toContain('Organisation: Demo Freedom Support Charity');
  const link = linkIn(mail, 'Accept the invitation').href;
  const context = await systemBrowser.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  const newcomer = await context.newPage();
  await newcomer.goto(new URL(link).pathname);
  await newcomer.getByLabel('Your name').fill('Jordan Newcomer');
  await newcomer.getByLabel('Choose a password').fill(PASSWORD);
  await newcomer.getByRole('button', { name: 'Create my account' }).click();

  // Enrols TOTP with the key shown as text, as a person would type it into an app.
  const secret = (await newcomer.locator('#totp-secret').textContent())!.replace(/\s/g, '');
  const key = decodeBase32IgnorePadding(secret);
  await newcomer.getByLabel('Code from your app').fill(code(key));
  await newcomer.getByRole('button', { name: 'Finish setting up' }).click();
  await expect(newcomer.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10);
  await newcomer.getByRole('link', { name: 'Continue' }).click();
  await expect(newcomer).toHaveURL(/\/members$/);

  // Signs out, then signs in again with password and a fresh code.
  await newcomer.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await newcomer.goto(MEMBERS_GUIDE);
  await expect(newcomer).toHaveURL(/\/login\?next=/);
  await newcomer.getByLabel('Email address').fill(email);
  await newcomer.getByLabel('Password').fill(PASSWORD);
  await newcomer.getByRole('button', { name: 'Continue' }).click();
  await newcomer.getByLabel('Security code').fill(code(key, 1));
  await newcomer.getByRole('button', { name: 'Sign in' }).click();

  // Back at the members' guide it asked for, which it can now read.
  await expect(newcomer).toHaveURL(new RegExp(`${MEMBERS_GUIDE}$`));
  await expect(newcomer.getByRole('main')).toContainText(MEMBERS_SENTENCE);
  await expectNoAxeViolations(newcomer);

  // Finds it through the members' search.
  await newcomer.goto('/members/search');
  const search = newcomer.getByRole('main').getByRole('search');
  await search.getByRole('searchbox').fill(MEMBERS_WORDS);
  await search.getByRole('button', { name: 'Search' }).click();
  const result = newcomer.locator('.results').getByRole('link', { name: MEMBERS_GUIDE_TITLE });
  await expect(result).toBeVisible();
  await result.click();
  await expect(newcomer).toHaveURL(new RegExp(`${MEMBERS_GUIDE}$`));

  // Signs out: the guide now asks to sign in again.
  await newcomer.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await expect(newcomer).toHaveURL(/\/$/);
  await newcomer.goto(MEMBERS_GUIDE);
  await expect(newcomer).toHaveURL(`/login?next=${encodeURIComponent(MEMBERS_GUIDE)}`);
  await expect(newcomer.getByRole('main')).not.toContainText(MEMBERS_SENTENCE);
  await context.close();
});
