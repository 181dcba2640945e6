import { eq } from 'drizzle-orm';
import { request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import { test, expect, createMember, sessionCookie, testClientAddress } from './fixtures.ts';
import { declaredActions, onDemandRoutes } from './surface.ts';
import { fixtures } from './test-content.ts';
import { users } from '#db/schema.ts';
import { write } from '#lib/db.ts';
import { createSession } from '#lib/auth/sessions.ts';

/**
 * The authorisation matrix: every on-demand route and every Action, for every kind of
 * visitor, with the status the server must answer. The lists of routes and actions are
 * read from src/, so a new route or action fails this test until it is added here.
 */
const personas = ['anonymous', 'member', 'moderator', 'editor', 'admin', 'suspended'] as const;
type Persona = (typeof personas)[number];
/** A status, or 'sign-in' for a redirect to /login. */
type Expected = number | 'sign-in';
type Row = Record<Persona, Expected>;

const everyone = (status: Expected): Row => ({ anonymous: status, member: status, moderator: status, editor: status, admin: status, suspended: status });
const signedIn = (status: Expected): Row => ({ ...everyone(status), anonymous: 'sign-in', suspended: 'sign-in' });
const adminsOnly: Row = { anonymous: 'sign-in', member: 403, moderator: 403, editor: 403, admin: 200, suspended: 'sign-in' };
/** Editors and administrators get `status`; members and moderators 403; visitors sign in. */
const editorsOnly = (status: Expected): Row => ({ anonymous: 'sign-in', member: 403, moderator: 403, editor: status, admin: status, suspended: 'sign-in' });

const UNKNOWN_TOKEN = 'a'.repeat(52);
const MEMBERS_GUIDE = fixtures.membersGuide.url;

/** Route pattern (as the file system names it) → a concrete path and what each persona gets. */
const routes: Record<string, { path: string; expect: Row }> = {
  '/login': { path: '/login', expect: everyone(200) },
  // The error page, rendered on demand to show the failed request's reference; asked for directly it is still a 500.
  '/500': { path: '/500', expect: everyone(500) },
  '/login/verify': { path: '/login/verify', expect: { ...everyone(200), anonymous: 'sign-in', suspended: 'sign-in' } },
  '/logout': { path: '/logout', expect: everyone(200) },
  '/forgot': { path: '/forgot', expect: everyone(200) },
  '/invite/[token]': { path: `/invite/${UNKNOWN_TOKEN}`, expect: everyone(404) },
  '/reset/[token]': { path: `/reset/${UNKNOWN_TOKEN}`, expect: everyone(404) },
  '/account': { path: '/account', expect: signedIn(200) },
  // Everyone here has enrolled already, so it sends them on.
  '/account/mfa-setup': { path: '/account/mfa-setup', expect: signedIn(303) },
  '/account/recovery-codes': { path: '/account/recovery-codes', expect: signedIn(200) },
  '/account/email': { path: '/account/email', expect: signedIn(200) },
  // No sign-in: the signed token is the authorisation; a forged one is not found.
  '/unsubscribe/[token]': { path: `/unsubscribe/1.mention.${'A'.repeat(43)}`, expect: everyone(404) },
  '/account/export.json': { path: '/account/export.json', expect: signedIn(200) },
  '/account/profile': { path: '/account/profile', expect: signedIn(200) },
  '/account/authenticator': { path: '/account/authenticator', expect: signedIn(200) },
  '/account/delete': { path: '/account/delete', expect: signedIn(200) },
  '/account/passkeys': { path: '/account/passkeys', expect: signedIn(200) },
  // Challenges for passkeys are POST only (JSON, with their own Origin check).
  '/account/passkey-options.json': { path: '/account/passkey-options.json', expect: everyone(405) },
  '/login/passkey-options.json': { path: '/login/passkey-options.json', expect: everyone(405) },
  '/admin': { path: '/admin', expect: adminsOnly },
  '/admin/members': { path: '/admin/members', expect: adminsOnly },
  '/admin/members/[id]': { path: '/admin/members/1', expect: adminsOnly },
  '/admin/organisations': { path: '/admin/organisations', expect: adminsOnly },
  '/admin/organisations/[id]': { path: '/admin/organisations/1', expect: adminsOnly },
  '/admin/audit': { path: '/admin/audit', expect: adminsOnly },
  '/admin/outbox': { path: '/admin/outbox', expect: adminsOnly },
  '/admin/outbox/[id]': { path: '/admin/outbox/999999999', expect: { ...adminsOnly, admin: 404 } },
  '/admin/forbidden': { path: '/admin/forbidden', expect: everyone(403) },
  // The browser editor and the editors' pages.
  '/keystatic/[...params]': { path: '/keystatic', expect: editorsOnly(200) },
  // JSON for the editor app: 401 for visitors; Keystatic itself answers 400 without its no-cors header.
  '/api/keystatic/[...params]': { path: '/api/keystatic/tree', expect: { ...editorsOnly(400), anonymous: 401, suspended: 401 } },
  '/editor': { path: '/editor', expect: editorsOnly(200) },
  '/editor/forbidden': { path: '/editor/forbidden', expect: everyone(403) },
  '/editor/kept/[id]': { path: '/editor/kept/999999999', expect: editorsOnly(404) },
  '/editor/publishes/[id]': { path: '/editor/publishes/999999999', expect: editorsOnly(404) },
  '/editor/preview/[collection]/[slug]': { path: `/editor/preview/${fixtures.currentGuide.key}`, expect: editorsOnly(200) },
  '/editor/preview-image/[...path]': { path: '/editor/preview-image/images/guides/x/none.png', expect: editorsOnly(404) },
  '/members': { path: '/members', expect: signedIn(200) },
  '/members/[collection]': { path: '/members/guides', expect: signedIn(200) },
  '/members/[collection]/[slug]': { path: MEMBERS_GUIDE, expect: signedIn(200) },
  '/members/search': { path: '/members/search', expect: signedIn(200) },
  '/members/resources': { path: '/members/resources', expect: signedIn(200) },
  '/members/resources/[slug]': { path: '/members/resources/fixture-members-pack', expect: signedIn(200) },
  '/members/resources/[slug]/[file]': { path: '/members/resources/fixture-members-pack/fixture-members-pack.odt', expect: signedIn(200) },
  '/members/events': { path: '/members/events', expect: signedIn(200) },
  '/members/events/[slug]': { path: '/members/events/fixture-members-meeting', expect: signedIn(200) },
  '/members/events/[slug].ics': { path: '/members/events/fixture-members-meeting.ics', expect: signedIn(200) },
  // Calendar apps send no cookie: the token is the key, and an unknown one is simply not found.
  '/members/calendar/[token].ics': { path: `/members/calendar/${'a'.repeat(52)}.ics`, expect: everyone(404) },
  // The directory: the demo administrator (member 1) and organisation 1 exist in every test database.
  '/members/people': { path: '/members/people', expect: signedIn(200) },
  '/members/people/[id]': { path: '/members/people/1', expect: signedIn(200) },
  '/members/people/[id]/mention': { path: '/members/people/1/mention', expect: signedIn(200) },
  '/members/organisations/[id]': { path: '/members/organisations/1', expect: signedIn(200) },
  '/forum/search': { path: '/forum/search?q=referral', expect: signedIn(200) },
  '/moderation': { path: '/moderation', expect: { anonymous: 'sign-in', member: 403, moderator: 200, editor: 200, admin: 200, suspended: 'sign-in' } },
  '/notifications': { path: '/notifications', expect: signedIn(200) },
  // JSON for the composer: a signed-out caller gets 401, not a redirect; an unknown category 404.
  '/forum/mentions.json': {
    path: '/forum/mentions.json?category=999999999&q=a',
    expect: { ...everyone(404), anonymous: 401, suspended: 401 },
  },
  // The forum: the seed's first thread (a moderator's post) and a guide whose discussion the seed starts.
  '/forum': { path: '/forum', expect: signedIn(200) },
  '/forum/[category]': { path: '/forum/multi-agency-working', expect: signedIn(200) },
  '/forum/[category]/new': { path: '/forum/multi-agency-working/new', expect: signedIn(200) },
  '/forum/t/[id]': { path: '/forum/t/1', expect: signedIn(301) },
  '/forum/t/[id]/[slug]': { path: '/forum/t/1/welcome-to-multi-agency-working-read-this-first-demo', expect: signedIn(200) },
  '/forum/p/[postId]': { path: '/forum/p/1', expect: signedIn(302) },
  '/forum/p/[postId]/edit': { path: '/forum/p/1/edit', expect: { anonymous: 'sign-in', member: 403, moderator: 200, editor: 200, admin: 200, suspended: 'sign-in' } },
  '/forum/p/[postId]/delete': { path: '/forum/p/1/delete', expect: { anonymous: 'sign-in', member: 403, moderator: 200, editor: 200, admin: 200, suspended: 'sign-in' } },
  '/forum/p/[postId]/history': { path: '/forum/p/1/history', expect: signedIn(200) },
  '/forum/p/[postId]/report': { path: '/forum/p/1/report', expect: signedIn(200) },
  '/forum/discuss': { path: '/forum/discuss?guide=guides%2Fworking-with-interpreters', expect: signedIn(302) },
  // The composer's preview is POST only (JSON, its own Origin check).
  '/forum/preview': { path: '/forum/preview', expect: everyone(405) },
  '/members/pagefind/[...path]': {
    path: '/members/pagefind/pagefind.js',
    expect: { ...everyone(200), anonymous: 401, suspended: 401 },
  },
};

const adminAction: Row = { anonymous: 401, member: 403, moderator: 403, editor: 403, admin: 400, suspended: 401 };
const memberAction = (signedInStatus: number): Row => ({ ...everyone(signedInStatus), anonymous: 401, suspended: 401 });

/**
 * Action → the form it is sent and what each persona gets. Inputs are valid where the
 * check under test comes after validation; an empty form is refused before anything.
 */
const actions: Record<string, { form: Record<string, string>; expect: Row }> = {
  'accounts.signIn': { form: { email: 'nobody@example.org', password: 'wrong password!' }, expect: everyone(401) },
  'accounts.verifySecondFactor': { form: { code: '123456' }, expect: { ...everyone(401) } },
  'accounts.signOut': { form: {}, expect: everyone(200) },
  'accounts.acceptInvitation': { form: { token: UNKNOWN_TOKEN, displayName: 'Someone', password: 'long enough passphrase here' }, expect: everyone(410) },
  'accounts.enrolTotp': { form: {}, expect: everyone(400) },
  'accounts.changeDisplayName': { form: { displayName: 'A new name' }, expect: memberAction(200) },
  'accounts.changePassword': { form: {}, expect: memberAction(400) },
  'accounts.regenerateRecoveryCodes': { form: { code: '000000' }, expect: memberAction(400) },
  'accounts.revokeSession': { form: { sessionId: 'nosuchsession' }, expect: memberAction(404) },
  'accounts.requestPasswordReset': { form: { email: 'nobody@example.org' }, expect: everyone(200) },
  'accounts.resetPassword': { form: {}, expect: everyone(400) },
  'accounts.saveEmailSettings': { form: {}, expect: memberAction(400) },
  'calendar.createFeed': { form: {}, expect: memberAction(200) },
  'calendar.revokeFeed': { form: {}, expect: memberAction(200) },
  // Well-formed but wrong: a signed-in member gets the form back (400), anyone else 401.
  'accounts.reauthenticate': { form: { password: 'not the password', code: '123456' }, expect: memberAction(400) },
  'accounts.moveAuthenticator': { form: { pending: 'not-a-sealed-key', code: '123456' }, expect: memberAction(400) },
  // Passkeys: adding and removing need a confirmed member (an empty form is refused after the door);
  // signing in with one is public, and bytes that are not a passkey's answer change nothing.
  'accounts.addPasskey': { form: {}, expect: memberAction(400) },
  'accounts.removePasskey': { form: {}, expect: memberAction(400) },
  'accounts.signInWithPasskey': { form: { credentialId: 'AAAA', clientDataJSON: 'AAAA', authenticatorData: 'AAAA', signature: 'AAAA' }, expect: everyone(401) },
  'accounts.deleteAccount': { form: { password: 'not the password', code: '123456', confirmation: 'DELETE' }, expect: memberAction(400) },
  // Every field of a profile is optional: an empty form saves an empty profile.
  'profiles.save': { form: {}, expect: memberAction(200) },
  'notifications.markRead': { form: { id: '999999999' }, expect: memberAction(404) },
  'notifications.markAllRead': { form: {}, expect: memberAction(200) },
  'notifications.setThreadLevel': { form: { threadId: '999999999', level: 'muted' }, expect: memberAction(404) },
  'notifications.setCategoryLevel': { form: { categoryId: '999999999', level: 'muted' }, expect: memberAction(404) },
  // Forum forms with valid fields but ids out of reach: a member gets "not found".
  'forum.createThread': { form: { categoryId: '999999999', title: 'A perfectly good title', body: 'Hello' }, expect: memberAction(404) },
  'forum.reply': { form: { threadId: '999999999', body: 'Hello' }, expect: memberAction(404) },
  'forum.editPost': { form: { postId: '999999999', body: 'Hello' }, expect: memberAction(404) },
  'forum.deletePost': { form: { postId: '999999999' }, expect: memberAction(404) },
  'forum.reportPost': { form: { postId: '999999999', reason: 'It names a victim' }, expect: memberAction(404) },
  'forum.discussGuide': { form: { guide: 'guides/no-such-guide' }, expect: memberAction(404) },
  'admin.invite': { form: {}, expect: adminAction },
  'admin.resendInvitation': { form: {}, expect: adminAction },
  'admin.revokeInvitation': { form: {}, expect: adminAction },
  'admin.changeRole': { form: {}, expect: adminAction },
  'admin.suspend': { form: {}, expect: adminAction },
  'admin.reactivate': { form: {}, expect: adminAction },
  'admin.revokeSessions': { form: {}, expect: adminAction },
  'admin.createResetLink': { form: {}, expect: adminAction },
  'admin.resetSecondFactor': { form: {}, expect: adminAction },
  'admin.eraseMember': { form: {}, expect: adminAction },
  'admin.removeFormerMemberPosts': { form: {}, expect: adminAction },
  'admin.createOrganisation': { form: {}, expect: adminAction },
  'admin.retryMail': { form: {}, expect: adminAction },
  'admin.updateOrganisation': { form: {}, expect: adminAction },
  'moderation.pin': { form: {}, expect: { anonymous: 401, member: 403, moderator: 400, editor: 400, admin: 400, suspended: 401 } },
  'moderation.unpin': { form: {}, expect: { anonymous: 401, member: 403, moderator: 400, editor: 400, admin: 400, suspended: 401 } },
  'moderation.lock': { form: {}, expect: { anonymous: 401, member: 403, moderator: 400, editor: 400, admin: 400, suspended: 401 } },
  'moderation.unlock': { form: {}, expect: { anonymous: 401, member: 403, moderator: 400, editor: 400, admin: 400, suspended: 401 } },
  'moderation.move': { form: {}, expect: { anonymous: 401, member: 403, moderator: 400, editor: 400, admin: 400, suspended: 401 } },
  'moderation.hideThread': { form: {}, expect: { anonymous: 401, member: 403, moderator: 400, editor: 400, admin: 400, suspended: 401 } },
  'moderation.restoreThread': { form: {}, expect: { anonymous: 401, member: 403, moderator: 400, editor: 400, admin: 400, suspended: 401 } },
  'moderation.hidePost': { form: {}, expect: { anonymous: 401, member: 403, moderator: 400, editor: 400, admin: 400, suspended: 401 } },
  'moderation.restorePost': { form: {}, expect: { anonymous: 401, member: 403, moderator: 400, editor: 400, admin: 400, suspended: 401 } },
  'moderation.resolveReport': { form: {}, expect: { anonymous: 401, member: 403, moderator: 400, editor: 400, admin: 400, suspended: 401 } },
  'editor.resolveKeptVersion': { form: {}, expect: { anonymous: 401, member: 403, moderator: 403, editor: 400, admin: 400, suspended: 401 } },
  'editor.publish': { form: {}, expect: { anonymous: 401, member: 403, moderator: 403, editor: 400, admin: 400, suspended: 401 } },
  'editor.rollback': { form: {}, expect: { anonymous: 401, member: 403, moderator: 403, editor: 400, admin: 400, suspended: 401 } },
  'moderation.dismissReport': { form: {}, expect: { anonymous: 401, member: 403, moderator: 400, editor: 400, admin: 400, suspended: 401 } },
};

test('the matrix lists every on-demand route and every action', () => {
  expect(Object.keys(routes).sort()).toEqual(onDemandRoutes().map((route) => route.pattern).sort());
  expect(Object.keys(actions).sort()).toEqual(declaredActions().sort());
});

test.describe('every route and action answers each kind of visitor as the matrix says', () => {
  const contexts = new Map<Persona, APIRequestContext>();

  // Fresh visitors for every test: some actions (sign out, revoke) end the sessions they use.
  test.beforeEach(async ({ db, baseURL }) => {
    for (const persona of personas) {
      const headers: Record<string, string> = { origin: baseURL!, 'x-forwarded-for': testClientAddress() };
      if (persona !== 'anonymous') {
        const role = persona === 'suspended' ? 'member' : persona;
        const { user } = await createMember(db, role);
        const { token } = await createSession(db, user.id, { mfaVerified: true });
        if (persona === 'suspended') await write(db, (tx) => tx.update(users).set({ status: 'suspended' }).where(eq(users.id, user.id)));
        const cookie = sessionCookie(token, baseURL!);
        headers.cookie = `${cookie.name}=${cookie.value}`;
      }
      contexts.set(persona, await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: headers, maxRedirects: 0 }));
    }
  });
  test.afterEach(async () => {
    for (const context of contexts.values()) await context.dispose();
    contexts.clear();
  });

  for (const [pattern, { path, expect: row }] of Object.entries(routes)) {
    test(`GET ${pattern}`, async () => {
      for (const persona of personas) {
        const response = await contexts.get(persona)!.get(path);
        const expected = row[persona];
        if (expected === 'sign-in') {
          expect([302, 303], `${persona} at ${path}`).toContain(response.status());
          expect(response.headers().location, `${persona} at ${path}`).toMatch(/^\/login(\?|$)/);
        } else {
          expect(response.status(), `${persona} at ${path}`).toBe(expected);
        }
        if (response.status() === 200) expect(response.headers()['cache-control'], path).toContain('no-store');
      }
    });
  }

  for (const [name, { form, expect: row }] of Object.entries(actions)) {
    test(`POST /_actions/${name}`, async () => {
      for (const persona of personas) {
        const response = await contexts.get(persona)!.post(`/_actions/${name}`, { form });
        expect(response.status(), `${persona} → ${name}`).toBe(row[persona]);
      }
    });
  }
});

test('a cross-site form post is refused', async ({ baseURL }) => {
  const context = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { origin: 'https://evil.example' } });
  const response = await context.post('/login?_action=accounts.signIn', { form: { email: 'a@b.c', password: 'x' } });
  expect(response.status()).toBe(403);
  await context.dispose();
});
