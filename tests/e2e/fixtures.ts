import { test as base, expect, chromium, type Browser, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { chromiumArgs, chromiumPath } from './chromium.ts';
import { organisations, users, type Role, type User } from '#db/schema.ts';
import { openDatabase, write, type Database } from '#lib/db.ts';
import { hashPassword } from '#lib/auth/passwords.ts';
import { newTotpKey, saveTotpKey } from '#lib/auth/totp.ts';
import { createSession, SESSION_COOKIE } from '#lib/auth/sessions.ts';
import { readMailFolder, type SinkMessage } from '#tests/smtp-sink.ts';

/** WCAG 2.2 AA: every rule set up to it. */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface TestMember {
  user: User;
  password: string;
  totpKey: Uint8Array;
}

/** The session cookie for the served portal. Domain and path, not `url`: Chromium refuses `url` for a `__Host-` cookie. */
export const sessionCookie = (token: string, baseURL: string) => ({
  name: SESSION_COOKIE,
  value: token,
  domain: new URL(baseURL).hostname,
  path: '/',
  httpOnly: true,
  secure: true,
  sameSite: 'Lax' as const,
});

/**
 * The first email that the test SMTP server accepted for this address (and matches, if
 * given), waiting for the portal's mail worker to send it.
 */
export function waitForMail(to: string, matches: (mail: SinkMessage) => boolean = () => true): Promise<SinkMessage> {
  return readMailFolder(process.env.E2E_MAIL_DIR!, (mail) => mail.to.toLowerCase() === to.toLowerCase() && matches(mail));
}

/** The address of the link after `label:` in an email's text part. */
export function linkIn(mail: SinkMessage, label: string): URL {
  const match = new RegExp(`${label}:\\n(\\S+)`).exec(mail.text);
  if (!match) throw new Error(`No "${label}" link in:\n${mail.text}`);
  return new URL(match[1]!);
}

let memberCount = 0;
let addressCount = 0;

/**
 * A client address of its own for each browser context (sent as X-Forwarded-For, which
 * the server trusts for local hosts), so one test's sign-in attempts never throttle
 * another's. 198.18.0.0/15 is the range set aside for testing.
 */
export function testClientAddress(): string {
  const n = ++addressCount;
  return `198.18.${(process.pid % 200) + Math.floor(n / 250)}.${(n % 250) + 1}`;
}

/** Creates an active member with a password and TOTP key, straight in the database. */
export async function createMember(db: Database, role: Role = 'member', name = 'Test member'): Promise<TestMember> {
  const password = `correct horse battery ${role} staple`;
  const org = await db.select().from(organisations).limit(1).get();
  const n = ++memberCount;
  const email = `${role}-${process.pid}-${n}-${Date.now()}@e2e.nmsn.test`;
  const passwordHash = await hashPassword(password);
  const [user] = await write(db, (tx) =>
    tx.insert(users).values({ email, displayName: `${name} ${process.pid}-${n}`, role, organisationId: org!.id, passwordHash }).returning(),
  );
  const totpKey = newTotpKey();
  await saveTotpKey(db, user!.id, totpKey, 0);
  return { user: user!, password, totpKey };
}

type Fixtures = {
  page: Page;
  expectNoAxeViolations: (page: Page) => Promise<void>;
  /** Signs the page's browser in as a new member of the role, without the UI. */
  signIn: (role?: Role) => Promise<TestMember>;
};

const allowedConsoleErrors = new WeakMap<Page, RegExp[]>();

/**
 * Lets a test's page log these console errors without failing: only for what a test
 * expects and explains (the browser editor's blocked Google font, a refused save).
 */
export function allowConsoleErrors(page: Page, ...patterns: RegExp[]): void {
  allowedConsoleErrors.set(page, [...(allowedConsoleErrors.get(page) ?? []), ...patterns]);
}

/** The console errors and uncaught exceptions of a page, less those allowed; read at the end of a test. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    // A page's own 4xx status (404 page, refused form) is expected; a failing asset is not.
    const documentStatus = /status of 4\d\d/.test(msg.text()) && msg.location().url === page.url();
    const allowed = (allowedConsoleErrors.get(page) ?? []).some((p) => p.test(msg.text()));
    if (msg.type() === 'error' && !documentStatus && !allowed) errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

export const test = base.extend<Fixtures, { systemBrowser: Browser; db: Database }>({
  db: [
    async ({}, use) => {
      // The database global-setup.ts made: workers inherit its DATABASE_URL.
      const db = await openDatabase();
      await use(db);
      db.$client.close();
    },
    { scope: 'worker' },
  ],
  signIn: async ({ page, db, baseURL }, use) => {
    await use(async (role = 'member') => {
      const member = await createMember(db, role);
      const { token } = await createSession(db, member.user.id, { mfaVerified: true });
      await page.context().addCookies([sessionCookie(token, baseURL!)]);
      return member;
    });
  },
  systemBrowser: [
    async ({}, use) => {
      const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  // Every test fails on a console error or an uncaught exception (a CSP violation shows up as one).
  page: async ({ systemBrowser, baseURL }, use) => {
    const context = await systemBrowser.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
    const page = await context.newPage();
    const errors = collectConsoleErrors(page);
    await use(page);
    await context.close();
    expect(errors, 'console errors on the page').toEqual([]);
  },
  expectNoAxeViolations: async ({}, use) => {
    await use(async (page) => {
      const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
      const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
      expect(summary, `axe violations on ${page.url()}`).toEqual([]);
    });
  },
});

export { expect };
