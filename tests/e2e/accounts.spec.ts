import { readFileSync } from 'node:fs';
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';
import type { Page } from '@playwright/test';
import { test, expect, createMember, linkIn, sessionCookie, waitForMail } from './fixtures.ts';
import { organisations, totpCredentials, users } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { createInvitation } from '#lib/auth/invitations.ts';
import { verifyPassword } from '#lib/auth/passwords.ts';
import { createSession, validateSessionToken } from '#lib/auth/sessions.ts';

const GOOD_PASSWORD = 'harbour thistle quartz lantern';
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** The code an authenticator app shows now. */
const codeNow = (key: Uint8Array) => generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000)), 6);

let invited = 0;
async function invitationPath(db: Database) {
  const org = await db.select().from(organisations).limit(1).get();
  const email = `invited-${process.pid}-${++invited}-${Date.now()}@e2e.nmsn.test`;
  const { path } = await createInvitation(db, null, { email, role: 'member', organisationId: org!.id });
  return { path, email };
}

/** Reads the key the set-up page shows as text, as a person typing it into their app would. */
async function keyFromSetUpPage(page: Page) {
  const text = (await page.locator('#totp-secret').textContent()) ?? '';
  expect(text).toMatch(/^([A-Z2-7]{4} )*[A-Z2-7]{1,4}$/);
  return decodeBase32IgnorePadding(text.replace(/\s/g, ''));
}

test('an invited person sets a name and password, enrols an authenticator app, saves recovery codes and lands signed in', async ({
  page,
  db,
  expectNoAxeViolations,
}) => {
  const { path, email } = await invitationPath(db);
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Join the network');
  await expect(page.getByLabel('Email address')).toHaveValue(email);
  await expectNoAxeViolations(page);

  // Bad input: the page stays, says what is wrong next to each field, keeps the name, never the password.
  await page.getByLabel('Your name').fill('P');
  await page.getByLabel('Choose a password').fill('password1234');
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect(page.getByRole('alert')).toContainText('There is a problem');
  await expect(page.locator('#field-displayName-error')).toContainText('at least 2 characters');
  await expect(page.locator('#field-password-error')).toContainText('too common');
  await expect(page.getByLabel('Your name')).toHaveValue('P');
  await expect(page.getByLabel('Choose a password')).toHaveValue('');
  await expectNoAxeViolations(page);

  await page.getByLabel('Your name').fill('Priya Shah, Northshire Police');
  await page.getByLabel('Choose a password').fill('short one');
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect(page.locator('#field-password-error')).toContainText('Use at least 12 characters');
  await expect(page.getByLabel('Your name')).toHaveValue('Priya Shah, Northshire Police');

  await page.getByLabel('Choose a password').fill(`${email.split('@')[0]} is mine`);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect(page.locator('#field-password-error')).toContainText('Do not use your email address');

  await page.getByLabel('Choose a password').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: 'Create my account' }).click();

  // Set up the authenticator app.
  await expect(page).toHaveURL(/\/account\/mfa-setup$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up your authenticator app');
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  await expectNoAxeViolations(page);
  const key = await keyFromSetUpPage(page);

  // Before enrolling, nothing else opens: the account page sends them back here.
  const detour = await page.context().newPage();
  await detour.goto('/account');
  await expect(detour).toHaveURL(/\/account\/mfa-setup/);
  await detour.close();

  await page.getByLabel('Code from your app').fill('000000');
  await page.getByRole('button', { name: 'Finish setting up' }).click();
  await expect(page.locator('#field-code-error')).toContainText('not right');
  await expect(page.getByLabel('Code from your app')).toHaveValue('');
  // The same key is kept after a wrong code: it is already in the person's app.
  expect(await keyFromSetUpPage(page)).toEqual(key);
  await expectNoAxeViolations(page);

  await page.getByLabel('Code from your app').fill(codeNow(key));
  await page.getByRole('button', { name: 'Finish setting up' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Save your recovery codes');
  const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  await expect(codes.first()).toHaveText(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
  await expectNoAxeViolations(page);

  await page.getByRole('link', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/members$/);
  await page.goto('/account');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  await expect(page.getByRole('banner')).toContainText('Priya Shah, Northshire Police');
  // Every field says what it is (an <input> without a type is invalid HTML).
  await expect(page.locator('input:not([type])')).toHaveCount(0);

  // The link worked once: opening it again changes nothing and says so.
  const again = await page.goto(path);
  expect(again!.status()).toBe(410);
  await expect(page.getByRole('main')).toContainText(
    'This invitation link has expired or has already been used. Ask the person who invited you for a new one.',
  );
  await expect(page.getByRole('button', { name: 'Create my account' })).toHaveCount(0);
  await expectNoAxeViolations(page);

  const unknown = await page.goto(`/invite/${'a'.repeat(52)}`);
  expect(unknown!.status()).toBe(404);
  await expect(page.getByRole('main')).toContainText('This invitation link has expired or has already been used.');
});

test('the invitation form works with the keyboard alone', async ({ page, db }) => {
  const { path } = await invitationPath(db);
  await page.goto(path);
  const name = page.getByLabel('Your name');
  for (let i = 0; i < 40 && !(await name.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(name).toBeFocused();
  await page.keyboard.type('Kim Lee');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Choose a password')).toBeFocused();
  await page.keyboard.type('123456789012');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Create my account' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#field-password-error')).toContainText('too common');
  await expect(name).toHaveValue('Kim Lee');
  // The error summary links to the field in trouble.
  await page.getByRole('alert').getByRole('link').first().click();
  await expect(page.getByLabel('Choose a password')).toBeFocused();
});

test('a signed-in member without an authenticator app is sent to set one up', async ({ page, db, baseURL }) => {
  const member = await createMember(db);
  await write(db, (tx) => tx.delete(totpCredentials).where(eq(totpCredentials.userId, member.user.id)));
  await page.goto('/login');
  await page.getByLabel('Email address').fill(member.user.email);
  await page.getByLabel('Password').fill(member.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/account\/mfa-setup\?next=/);

  // And /login/verify (where requireMember sends unverified sessions) sends them on too.
  const { token } = await createSession(db, member.user.id);
  await page.context().addCookies([sessionCookie(token, baseURL!)]);
  await page.goto('/login/verify?next=/account');
  await expect(page).toHaveURL(/\/account\/mfa-setup\?next=%2Faccount$/);
});

test('a member changes their name and password, revokes another session, and downloads their data', async ({
  page,
  db,
  signIn,
  expectNoAxeViolations,
}) => {
  const member = await signIn();
  const laptop = await createSession(db, member.user.id, { mfaVerified: true, ip: '203.0.113.9', userAgent: FIREFOX_ON_WINDOWS });
  const stranger = await createMember(db);
  const strangers = await createSession(db, stranger.user.id, { mfaVerified: true });

  await page.goto('/account');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  await expect(page.getByRole('main')).toContainText(member.user.email);
  await expect(page.getByRole('main')).toContainText('This device');
  await expect(page.getByRole('button', { name: 'Sign out of this device' })).toBeVisible();
  await expectNoAxeViolations(page);

  // Display name: bad, then good.
  await page.getByLabel('Your name').fill('X');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.locator('#field-displayName-error')).toContainText('at least 2 characters');
  await expect(page.getByLabel('Your name')).toHaveValue('X');
  await expectNoAxeViolations(page);
  await page.getByLabel('Your name').fill('Jordan Renamed');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('status')).toContainText('Your name has been changed.');
  await expect(page.getByRole('banner')).toContainText('Jordan Renamed');
  await expect(page.getByLabel('Your name')).toHaveValue('Jordan Renamed');

  // Revoke the other session (Firefox on Windows).
  const laptopEntry = page.getByRole('listitem').filter({ hasText: 'Firefox on Windows' });
  await expect(laptopEntry).toContainText('203.0.113.9');
  await laptopEntry.getByRole('button', { name: /^Revoke the session on Firefox on Windows/ }).click();
  await expect(page.getByRole('status')).toContainText('That session has been signed out.');
  await expect(page.getByRole('main')).not.toContainText('Firefox on Windows');
  expect((await validateSessionToken(db, laptop.token)).session).toBeNull();

  // Someone else's session cannot be revoked by changing the id in the form: 404, nothing changes.
  const forged = await page.request.post('/account?_action=accounts.revokeSession', {
    form: { sessionId: strangers.session.id },
    headers: { Origin: new URL(page.url()).origin },
  });
  expect(forged.status()).toBe(404);
  expect((await validateSessionToken(db, strangers.token)).session).not.toBeNull();

  // Password: wrong current password, then a common new one, then right.
  const other = await createSession(db, member.user.id, { mfaVerified: true });
  await page.getByLabel('Current password').fill('this is not my password');
  await page.getByLabel('New password').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#field-currentPassword-error')).toContainText('Your current password is not right.');
  await expect(page.getByLabel('Current password')).toHaveValue('');
  await expectNoAxeViolations(page);
  await page.getByLabel('Current password').fill(member.password);
  await page.getByLabel('New password').fill('qwertyuiop12');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#field-newPassword-error')).toContainText('too common');
  await page.getByLabel('Current password').fill(member.password);
  await page.getByLabel('New password').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status')).toContainText('You have been signed out everywhere else.');
  expect((await validateSessionToken(db, other.token)).session).toBeNull();
  const updated = await db.select().from(users).where(eq(users.id, member.user.id)).get();
  expect(await verifyPassword(updated!.passwordHash, GOOD_PASSWORD)).toBe(true);
  // Still signed in here.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');

  // Download my data.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download my data' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^nmsn-my-data-\d{4}-\d{2}-\d{2}\.json$/);
  const data = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(data.profile).toMatchObject({ email: member.user.email, displayName: 'Jordan Renamed' });
  expect(data.auditLog.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['profile-change', 'session-revoke', 'password-change']));
  const text = JSON.stringify(data);
  expect(text).not.toContain(updated!.passwordHash);
  expect(text).not.toMatch(/secretHash|keySealed|codeHash|passwordHash/);
});

test('a member makes new recovery codes, confirmed with a code from their app', async ({ page, signIn, expectNoAxeViolations }) => {
  const member = await signIn();
  await page.goto('/account');
  await page.getByRole('link', { name: 'Make new recovery codes' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Recovery codes');
  await expectNoAxeViolations(page);
  await page.getByLabel('Code from your app').fill('12345');
  await page.getByRole('button', { name: 'Make new recovery codes' }).click();
  await expect(page.locator('#field-code-error')).toContainText('6-digit code');
  await page.getByLabel('Code from your app').fill(codeNow(member.totpKey));
  await page.getByRole('button', { name: 'Make new recovery codes' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your new recovery codes');
  await expect(page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10);
  await expectNoAxeViolations(page);
  await page.getByRole('link', { name: 'Back to your account' }).click();
  await expect(page.getByRole('main')).toContainText('You have 10 unused recovery codes');
});

test('a forgotten password: the request says the same for any address, the emailed link needs the second factor', async ({
  page,
  db,
  expectNoAxeViolations,
}) => {
  const member = await createMember(db);
  await page.goto('/login');
  await page.getByRole('link', { name: 'I have forgotten my password' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Forgotten your password');
  await expectNoAxeViolations(page);
  await page.getByLabel('Email address').fill('not an address');
  await page.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(page.locator('#field-email-error')).toContainText('Enter your email address');
  await expect(page.getByLabel('Email address')).toHaveValue('not an address');

  const answers: string[] = [];
  for (const email of [member.user.email, 'nobody-at-all@e2e.nmsn.test']) {
    await page.goto('/forgot');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await expect(page.getByRole('status')).toContainText('If that address belongs to a member, we have emailed it a link to choose a new password.');
    answers.push((await page.getByRole('main').innerText()) + page.url());
  }
  expect(answers[1]).toBe(answers[0]);
  await expectNoAxeViolations(page);

  // The member's email.
  const mail = await waitForMail(member.user.email, (m) => m.subject.startsWith('Reset your password'));
  expect(mail.text).toContain('Someone, probably you, asked to reset your password');
  const path = linkIn(mail, 'Choose a new password').pathname;
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a new password');
  await expectNoAxeViolations(page);
  await page.getByLabel('New password').fill(GOOD_PASSWORD);
  await page.getByLabel('Security code').fill('000000');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.locator('#field-code-error')).toContainText('not right');
  await expect(page.getByLabel('New password')).toHaveValue('');
  const unchanged = await db.select().from(users).where(eq(users.id, member.user.id)).get();
  expect(await verifyPassword(unchanged!.passwordHash, member.password)).toBe(true);

  await page.getByLabel('New password').fill(GOOD_PASSWORD);
  await page.getByLabel('Security code').fill(codeNow(member.totpKey));
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your password has been changed');
  await expectNoAxeViolations(page);
  const changed = await db.select().from(users).where(eq(users.id, member.user.id)).get();
  expect(await verifyPassword(changed!.passwordHash, GOOD_PASSWORD)).toBe(true);

  const again = await page.goto(path);
  expect(again!.status()).toBe(410);
  await expect(page.getByRole('main')).toContainText('This password reset link has expired or has already been used.');
  await expectNoAxeViolations(page);
});
