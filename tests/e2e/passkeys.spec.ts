import { generateHOTP } from '@oslojs/otp';
import type { CDPSession, Page } from '@playwright/test';
import { test, expect, createMember, testClientAddress, type TestMember } from './fixtures.ts';
import { SESSION_COOKIE, validateSessionToken } from '#lib/auth/sessions.ts';

/**
 * Passkeys in real Chromium, with its virtual authenticator (a device with a platform
 * passkey store and user verification, driven over CDP). WebAuthn needs a host name, not
 * an IP address, so this file browses the portal at SITE_URL (http://localhost:<port>,
 * global-setup.ts). Answers Chromium cannot be made to send (another origin, a forged
 * signature…) are tested with signed payloads in tests/integration/passkeys.test.ts.
 */
test.use({ baseURL: process.env.SITE_URL });

const step = () => Math.floor(Date.now() / 30_000);
const codeNow = (key: Uint8Array) => generateHOTP(key, BigInt(step()), 6);
/** Each code works once: a second confirmation in the same 30 seconds uses the next one (one step of drift is allowed). */
const codeNext = (key: Uint8Array) => generateHOTP(key, BigInt(step() + 1), 6);

async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

/** "Confirm it is you" on /account/passkeys, with the keyboard only. */
async function confirmItIsMe(page: Page, member: TestMember, code = codeNow(member.totpKey)) {
  await page.getByLabel('Your password').focus();
  await page.keyboard.type(member.password);
  await page.keyboard.press('Tab');
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Add a passkey' })).toBeVisible();
}

async function signInWithPasskey(page: Page) {
  await page.goto('/login');
  const button = page.getByRole('button', { name: 'Sign in with a passkey' });
  await expect(button).toBeVisible();
  await button.focus();
  await page.keyboard.press('Enter');
}

test('a member adds a passkey, signs in with it alone, and removes it', async ({ page, db, signIn, expectNoAxeViolations }) => {
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  const member = await signIn();

  await page.goto('/account');
  await expect(page.getByText('You have no passkeys.')).toBeVisible();
  await page.getByRole('link', { name: 'Add or remove passkeys' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Passkeys');
  await expectNoAxeViolations(page);

  // Adding one needs the password and a code again.
  await confirmItIsMe(page, member);
  await expectNoAxeViolations(page);

  // No name: refused beside the field, and no passkey is made.
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.locator('#field-name-error')).toContainText('Name this passkey');
  expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(0);

  await page.getByLabel('Name this passkey').focus();
  await page.keyboard.type('Work laptop');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/account\/passkeys\?done=added$/);
  await expect(page.getByRole('status').first()).toContainText('Your passkey has been added');
  await expect(page.getByRole('main')).toContainText('Work laptop');
  await expect(page.getByRole('main')).toContainText('Not used yet');
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]!.rpId).toBe('localhost');
  expect(credentials[0]!.isResidentCredential).toBe(true);

  // Signed out, then in again with the passkey alone: no email, password or code.
  await page.context().clearCookies();
  await page.goto('/login');
  await expectNoAxeViolations(page);
  await signInWithPasskey(page);
  await expect(page).toHaveURL(/\/members$/);
  await expect(page.getByRole('banner')).toContainText(member.user.displayName);
  const token = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)!.value;
  expect((await validateSessionToken(db, token)).session?.mfaVerified).toBe(true);

  await page.goto('/account');
  await expect(page.getByRole('main')).toContainText('Work laptop');
  await expect(page.getByRole('main')).toContainText('last used');

  // Removing it needs the confirmation again in this new session.
  await page.goto('/account/passkeys');
  await expect(page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
  await confirmItIsMe(page, member, codeNext(member.totpKey));
  await page.getByRole('button', { name: 'Remove the passkey “Work laptop”' }).click();
  await expect(page).toHaveURL(/\/account\/passkeys\?done=removed$/);
  await expect(page.getByRole('main')).toContainText('You have no passkeys yet.');
  await expectNoAxeViolations(page);

  // The device still holds it, but the portal no longer accepts it.
  await page.context().clearCookies();
  await signInWithPasskey(page);
  await expect(page.getByRole('alert')).toContainText('That passkey could not be used to sign in');
  await expect(page).toHaveURL(/\/login/);
  await expectNoAxeViolations(page);
});

test('a cloned passkey, whose counter does not go up, is refused', async ({ page, db, signIn }) => {
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  const member = await signIn();
  await page.goto('/account/passkeys');
  await confirmItIsMe(page, member);
  await page.getByLabel('Name this passkey').fill('Phone');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page).toHaveURL(/done=added/);

  // Sign in with it once, so the portal stores a counter above zero.
  await page.context().clearCookies();
  await signInWithPasskey(page);
  await expect(page).toHaveURL(/\/members$/);

  // A copy of the key made before that sign-in: same credential, older counter.
  const [original] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  expect(original!.signCount).toBeGreaterThan(0);
  await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: original!.credentialId });
  await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...original!, signCount: 0 } });

  await page.context().clearCookies();
  await signInWithPasskey(page);
  await expect(page.getByRole('alert')).toContainText('That passkey could not be used to sign in');
  expect((await page.context().cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
  const rows = await db.$client.execute({ sql: "select detail from audit_log where actor_id = ? and action = 'sign-in' order by id", args: [member.user.id] });
  expect(rows.rows.map((r) => JSON.parse(String(r.detail)).reason ?? 'ok')).toEqual(['ok', 'counter']);
});

test('the sign-in page works without JavaScript: no passkey button, the password form as before', async ({ systemBrowser, db }) => {
  const context = await systemBrowser.newContext({ baseURL: process.env.SITE_URL, javaScriptEnabled: false, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  const page = await context.newPage();
  const member = await createMember(db);
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeHidden();
  await page.getByLabel('Email address').fill(member.user.email);
  await page.getByLabel('Password').fill(member.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Enter your security code');
  await context.close();
});

test('the challenge endpoints answer only this site’s scripts, and adding needs a confirmed member', async ({ page, signIn, baseURL }) => {
  const post = (path: string, headers: Record<string, string> = { origin: baseURL! }) => page.request.post(path, { headers: { 'content-type': 'application/json', ...headers }, data: '{}' });
  // Another site's page cannot ask for a challenge, signed in or not.
  expect((await post('/login/passkey-options.json', { origin: 'https://evil.example' })).status()).toBe(403);
  expect((await post('/account/passkey-options.json', { origin: 'https://evil.example' })).status()).toBe(403);
  // A visitor gets a sign-in challenge, bound to an attempt cookie; not a registration one.
  const signInChallenge = await post('/login/passkey-options.json');
  expect(signInChallenge.status()).toBe(200);
  expect(await signInChallenge.json()).toMatchObject({ rpId: 'localhost', userVerification: 'required', challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  expect(signInChallenge.headers()['set-cookie']).toMatch(/__Host-passkey-attempt=[a-z2-7]+;.*HttpOnly/i);
  expect(signInChallenge.headers()['cache-control']).toContain('no-store');
  expect((await post('/account/passkey-options.json')).status()).toBe(401);
  // A signed-in member who has not confirmed it is them: refused, with what to do.
  await signIn();
  const unconfirmed = await post('/account/passkey-options.json');
  expect(unconfirmed.status()).toBe(401);
  expect((await unconfirmed.json()).error).toContain('Confirm it is you first');
});
