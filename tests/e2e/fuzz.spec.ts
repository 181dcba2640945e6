import fc from 'fast-check';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { is, Table } from 'drizzle-orm';
import type { APIResponse } from '@playwright/test';
import { test, expect, createMember, sessionCookie, testClientAddress, type TestMember } from './fixtures.ts';
import { declaredActions, onDemandRoutes } from './surface.ts';
import * as schema from '#db/schema.ts';
import { categories, organisationTypes, roles, users } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { forumActor } from '#lib/forum/access.ts';
import { createReply, createThread } from '#lib/forum/posting.ts';
import { choosableKinds } from '#lib/mail/kinds.ts';
import { regionKeys, topicKeys } from '#lib/content/taxonomy.ts';
import { fieldValues, fuzzOptions, hostileId, hostileNumber, hostileText } from '#tests/fuzz.ts';

/**
 * Fuzz (fast-check) against the built server and its real database: hostile and random
 * values through every Action's form fields (sent as forms, multipart, JSON, plain text,
 * with fields doubled or missing) and through every on-demand route's path parameters and
 * query string. Never a 5xx; a refusal is a 4xx with a message, or the form page with its
 * error summary; and a refusal stores nothing: what the database holds of the members
 * involved (every table that refers to a member, read from the schema) is the same after.
 * The Actions and routes are read from src/, like the authorisation matrix, so a new one
 * fails here until it has fields to fuzz. A failure prints its seed and path: replay with
 * FUZZ_SEED=<seed> FUZZ_PATH=<path> (docs/development.md).
 */


// ─── What the database holds of some members ────────────────────────────────────────

/** Columns that change on any request, not because of the form sent. */
const VOLATILE = new Set(['last_verified_at', 'last_seen_at', 'last_used_at']);
/** Tables whose other columns change in the background: the mail worker sends, retries and leases. */
const ONLY_COLUMNS: Record<string, string[]> = { mail_outbox: ['id', 'kind', 'user_id', 'message_key'] };
/** Rows that a refusal writes by design: refusals are audited and throttled. */
const REFUSAL_TABLES = new Set(['throttle_events']);

/** Every table with a column referring to a member, and those columns: read from the schema, so a new table is watched too. */
const memberTables = (Object.values(schema) as unknown[])
  .filter((value) => is(value, Table))
  .map((table) => getTableConfig(table as SQLiteTable))
  .filter((config) => !REFUSAL_TABLES.has(config.name))
  .flatMap((config) => {
    const columns = config.foreignKeys.flatMap((fk) => {
      const ref = fk.reference();
      return getTableConfig(ref.foreignTable).name === 'users' ? ref.columns.map((c) => c.name) : [];
    });
    const all = ONLY_COLUMNS[config.name] ?? config.columns.map((c) => c.name).filter((c) => !VOLATILE.has(c));
    return columns.length ? [{ name: config.name, columns, all }] : [];
  });

/** One statement: each member table's rows for these members (and the members' own rows), as JSON. */
function footprintQuery(ids: number[]): string {
  const list = ids.join(',');
  const rows = (table: string, columns: string[], where: string) =>
    `select '${table}' as t, json_group_array(json_array(${columns.map((c) => `quote("${c}")`).join(', ')})) as rows from (select * from "${table}" where ${where} order by rowid)`;
  const parts = memberTables.map(({ name, columns, all }) => {
    const match = columns.map((c) => `"${c}" in (${list})`).join(' or ');
    return rows(name, all, name === 'audit_log' ? `(${match}) and outcome = 'success'` : match);
  });
  const userColumns = getTableConfig(users).columns.map((c) => c.name).filter((c) => !VOLATILE.has(c));
  parts.push(rows('users', userColumns, `id in (${list})`));
  return parts.join(' union all ');
}

async function footprint(db: Database, ids: number[]): Promise<Record<string, string>> {
  const result = await db.$client.execute(footprintQuery(ids));
  return Object.fromEntries(result.rows.map((row) => [String(row.t), String(row.rows)]));
}

// ─── Sending things ─────────────────────────────────────────────────────────────────

type Encoding = 'urlencoded' | 'multipart' | 'json' | 'text' | 'none';
const encodings = fc.constantFrom<Encoding>('urlencoded', 'urlencoded', 'urlencoded', 'multipart', 'multipart', 'json', 'text', 'none');

/** A body and its content type, built by hand so that anything (lone surrogates, NUL, files where text belongs) goes out as given. */
function encode(fields: [string, string][], encoding: Encoding, withFile: boolean): { type?: string; body?: Buffer } {
  switch (encoding) {
    case 'urlencoded':
      return { type: 'application/x-www-form-urlencoded', body: Buffer.from(new URLSearchParams(fields).toString()) };
    case 'multipart': {
      const boundary = '----fuzz' + 'x'.repeat(12);
      const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
      if (withFile && fields[0]) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${fields[0][0]}"; filename="../../x.txt"\r\nContent-Type: text/plain\r\n\r\n${fields[0][1]}\r\n`);
      return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.from(parts.join('') + `--${boundary}--\r\n`) };
    }
    case 'json':
      return { type: 'application/json', body: Buffer.from(JSON.stringify(withFile ? fields : Object.fromEntries(fields))) };
    case 'text':
      return { type: 'text/plain', body: Buffer.from(fields.map(([k, v]) => `${k}=${v}`).join('\n')) };
    case 'none':
      return {};
  }
}

/** Zod's own words for a missing or mistyped field: a member should never read them. */
const GENERIC = /Invalid input|expected string|received (null|undefined)/;

/** A refused answer says what was wrong: a JSON error with a message (a 415 for a body that is no form needs none), or a page with its error summary. */
async function expectRefusalExplained(response: APIResponse, what: string): Promise<void> {
  const type = response.headers()['content-type'] ?? '';
  const text = await response.text();
  if (response.status() === 415) return;
  if (type.includes('application/json')) {
    const body = JSON.parse(text) as { message?: string; error?: string; issues?: { message: string }[] };
    expect(body.message || body.error || body.issues?.[0]?.message, what).toMatch(/\w{3}/);
  } else {
    expect(text, what).toMatch(/\w{3}/);
  }
}

/** A tag as written: a name, then attributes, their values quoted or not. */
const TAG = /<\/?[a-zA-Z][\w-]*(?:\s+[^\s=>"'\/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*\/?>/g;

/** Markup from the fuzz values that became markup in the page (inside a quoted attribute value it is only text). */
function injectedMarkup(html: string): string | null {
  for (const m of html.matchAll(TAG)) {
    if (/^<(img|svg)\b[^>]*\bon(error|load)=/i.test(m[0])) return m[0];
    if (/^<script>$/i.test(m[0]) && html.startsWith('alert(1)', m.index + m[0].length)) return `${m[0]}alert(1)`;
  }
  return null;
}

// ─── The world each test fuzzes in: its own members, category, thread and posts ─────

interface World {
  members: Record<'member' | 'moderator' | 'editor' | 'admin' | 'victim', TestMember>;
  categoryId: number;
  categorySlug: string;
  threadId: number;
  threadSlug: string;
  postIds: number[];
}

async function makeWorld(db: Database): Promise<World> {
  const [member, moderator, editor, admin, victim] = await Promise.all(
    (['member', 'moderator', 'editor', 'admin', 'member'] as const).map((role) => createMember(db, role, 'Fuzz')),
  );
  const slug = `fuzz-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const [category] = await write(db, (tx) => tx.insert(categories).values({ slug, name: `Fuzzing ${slug}`, description: 'Made by the fuzz tests.', position: 99 }).returning());
  // The moderator's thread (moderation fuzzes it), with the member's replies (edits, deletes and reports fuzz them).
  const started = await createThread(db, await forumActor(db, moderator!.user.id), { categoryId: category!.id, title: 'A thread to fuzz', body: 'The first post.' });
  if (!started.ok) throw new Error(started.message);
  const postIds = [started.postId];
  const author = await forumActor(db, member!.user.id);
  for (const body of ['A reply.', 'Another reply.']) {
    const reply = await createReply(db, author, { threadId: started.thread.id, body });
    if (!reply.ok) throw new Error(reply.message);
    postIds.push(reply.post.id);
  }
  return {
    members: { member: member!, moderator: moderator!, editor: editor!, admin: admin!, victim: victim! },
    categoryId: category!.id,
    categorySlug: slug,
    threadId: started.thread.id,
    threadSlug: started.thread.slug,
    postIds,
  };
}

// ─── Every Action's fields ──────────────────────────────────────────────────────────

/** A field that takes one of these values, fuzzed with hostile text as often as with them. */
const oneOf = (...valid: string[]) => fc.oneof(fc.constantFrom(...valid), hostileText);
const text = hostileText;
const number = hostileNumber;

type Fields = (world: World) => Record<string, fc.Arbitrary<string>>;
const none: Fields = () => ({});

/**
 * Every Action, by the role that may use it and its form's fields. Ids are hostile, or
 * the test's own rows, never another test's (they share the database): see hostileId.
 */
const actions: Record<string, Fields> = {
  'accounts.signIn': () => ({ email: oneOf('nobody@example.org', 'a@b'), password: text, next: text }),
  'accounts.verifySecondFactor': () => ({ code: oneOf('123456', '000000'), next: text }),
  'accounts.signOut': none,
  'accounts.acceptInvitation': () => ({ token: text, displayName: text, password: text }),
  'accounts.enrolTotp': () => ({ pending: text, code: oneOf('123456'), next: text }),
  'accounts.changeDisplayName': () => ({ displayName: text }),
  'accounts.changePassword': () => ({ currentPassword: text, newPassword: text }),
  'accounts.regenerateRecoveryCodes': () => ({ code: oneOf('123456') }),
  'accounts.revokeSession': () => ({ sessionId: text }),
  'accounts.requestPasswordReset': () => ({ email: oneOf('nobody@example.org') }),
  'accounts.resetPassword': () => ({ token: text, password: text, code: text }),
  'accounts.saveEmailSettings': () => ({
    ...Object.fromEntries(choosableKinds.map((kind) => [`cadence-${kind}`, oneOf('immediately', 'daily', 'weekly', 'never', 'off')])),
    digestHour: fc.oneof(fc.integer({ min: 0, max: 23 }).map(String), number),
    fullText: oneOf('on'),
  }),
  'accounts.reauthenticate': () => ({ password: text, code: text, next: text }),
  'accounts.moveAuthenticator': () => ({ pending: text, code: oneOf('123456') }),
  'accounts.deleteAccount': () => ({ password: text, code: text, confirmation: oneOf('DELETE') }),
  'accounts.signInWithPasskey': () => ({ credentialId: text, clientDataJSON: text, authenticatorData: text, signature: text, userHandle: text, next: text }),
  'accounts.addPasskey': () => ({ name: text, clientDataJSON: text, attestationObject: text }),
  'accounts.removePasskey': () => ({ passkeyId: hostileId() }),
  'calendar.createFeed': none,
  'calendar.revokeFeed': none,
  'profiles.save': () => ({
    roleTitle: text,
    areas: oneOf(...topicKeys),
    askMeAbout: text,
    showAskMeAbout: oneOf('on'),
    workPhone: oneOf('01632 960 000', '+44 1632 960000'),
    showWorkPhone: oneOf('on'),
    workEmail: oneOf('a@example.org'),
    showWorkEmail: oneOf('on'),
    link: oneOf('https://example.org', 'javascript:alert(1)', 'http://example.org', 'tel:+441632960000'),
  }),
  'notifications.markRead': () => ({ id: hostileId(), next: text }),
  'notifications.markAllRead': none,
  'notifications.setThreadLevel': (w) => ({ threadId: hostileId([String(w.threadId)]), level: oneOf('watching', 'normal', 'muted'), next: text }),
  'notifications.setCategoryLevel': (w) => ({ categoryId: hostileId([String(w.categoryId)]), level: oneOf('watching', 'normal', 'muted'), next: text }),
  'forum.createThread': (w) => ({ categoryId: hostileId([String(w.categoryId)]), title: oneOf('A perfectly good title'), body: oneOf('A perfectly good post.'), safeguarding: oneOf('confirmed') }),
  'forum.reply': (w) => ({ threadId: hostileId([String(w.threadId)]), body: oneOf('A perfectly good reply.'), replyToPostNumber: hostileId(['1', '2']), safeguarding: oneOf('confirmed') }),
  'forum.editPost': (w) => ({ postId: hostileId(w.postIds.map(String)), body: oneOf('An edited post.'), version: hostileId(['1', '2']), safeguarding: oneOf('confirmed') }),
  'forum.deletePost': (w) => ({ postId: hostileId(w.postIds.map(String)) }),
  'forum.reportPost': (w) => ({ postId: hostileId(w.postIds.map(String)), reason: text }),
  'forum.discussGuide': () => ({ guide: oneOf('guides/working-with-interpreters', 'guides/../../etc/passwd', 'members/x') }),
  'admin.invite': () => ({ email: oneOf('fuzz-invite@example.org'), role: oneOf(...roles), organisationId: hostileId(['1']) }),
  'admin.resendInvitation': () => ({ invitationId: hostileId() }),
  'admin.revokeInvitation': () => ({ invitationId: hostileId() }),
  'admin.changeRole': (w) => ({ userId: hostileId([String(w.members.victim.user.id)]), role: oneOf(...roles) }),
  'admin.suspend': (w) => ({ userId: hostileId([String(w.members.victim.user.id)]) }),
  'admin.reactivate': (w) => ({ userId: hostileId([String(w.members.victim.user.id)]) }),
  'admin.revokeSessions': (w) => ({ userId: hostileId([String(w.members.victim.user.id)]) }),
  'admin.createResetLink': (w) => ({ userId: hostileId([String(w.members.victim.user.id)]) }),
  'admin.resetSecondFactor': (w) => ({ userId: hostileId([String(w.members.victim.user.id)]) }),
  'admin.eraseMember': (w) => ({ userId: hostileId([String(w.members.victim.user.id)]), confirmation: text, removePosts: oneOf('on') }),
  'admin.removeFormerMemberPosts': (w) => ({ userId: hostileId([String(w.members.victim.user.id)]) }),
  // Never a valid name with a valid type and region: an organisation made here would show on other tests' pages.
  'admin.createOrganisation': () => ({ name: text, type: hostileText, region: oneOf(...regionKeys) }),
  'admin.updateOrganisation': () => ({ id: hostileId(), name: text, type: oneOf(...organisationTypes), region: oneOf(...regionKeys) }),
  'admin.retryMail': () => ({ id: hostileId() }),
  'moderation.pin': (w) => ({ threadId: hostileId([String(w.threadId)]) }),
  'moderation.unpin': (w) => ({ threadId: hostileId([String(w.threadId)]) }),
  'moderation.lock': (w) => ({ threadId: hostileId([String(w.threadId)]) }),
  'moderation.unlock': (w) => ({ threadId: hostileId([String(w.threadId)]) }),
  'moderation.move': (w) => ({ threadId: hostileId([String(w.threadId)]), categoryId: hostileId([String(w.categoryId)]) }),
  'moderation.hideThread': (w) => ({ threadId: hostileId([String(w.threadId)]), reason: text }),
  'moderation.restoreThread': (w) => ({ threadId: hostileId([String(w.threadId)]) }),
  'moderation.hidePost': (w) => ({ postId: hostileId(w.postIds.map(String)), reason: text, resolveReports: oneOf('yes') }),
  'moderation.restorePost': (w) => ({ postId: hostileId(w.postIds.map(String)) }),
  'moderation.resolveReport': () => ({ reportId: hostileId() }),
  'moderation.dismissReport': () => ({ reportId: hostileId() }),
  // Never the Publish button's value, and never a real publish's id: a build would start.
  'editor.publish': () => ({ confirm: hostileText.filter((v) => v.trim() !== 'publish') }),
  'editor.rollback': () => ({ publishId: hostileId() }),
  'editor.resolveKeptVersion': () => ({ id: hostileId() }),
};

/** Who may use each group's Actions (the others fuzz as a signed-in member). */
const roleOf = (action: string): keyof World['members'] =>
  action.startsWith('admin.') ? 'admin' : action.startsWith('moderation.') ? 'moderator' : action.startsWith('editor.') ? 'editor' : 'member';

test('the fuzz covers every Action', () => {
  expect(Object.keys(actions).sort()).toEqual(declaredActions().sort());
});

// ─── Actions ────────────────────────────────────────────────────────────────────────

test.describe('fuzz: every Action', () => {
  let world: World;
  test.beforeAll(async ({ db }) => {
    world = await makeWorld(db);
  });

  for (const [name, fields] of Object.entries(actions)) {
    test(name, async ({ db, playwright, baseURL }) => {
      const actor = world.members[roleOf(name)];
      const watched = [actor.user.id, world.members.victim.user.id, world.members.moderator.user.id, world.members.member.user.id];
      const context = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL!, 'x-forwarded-for': testClientAddress() } });
      const form = fc.record(Object.fromEntries(Object.entries(fields(world)).map(([field, value]) => [field, fieldValues(value)])), { requiredKeys: [] });
      const extra = fc.array(fc.tuple(fc.oneof(hostileText, fc.constantFrom('__proto__', 'constructor', '_action', 'x[]')), hostileText), { maxLength: 2 });
      try {
        await fc.assert(
          fc.asyncProperty(form, extra, encodings, fc.boolean(), async (values, junk, encoding, withFile) => {
            const path = `/_actions/${name}`;
            const fieldList = [...Object.entries(values).flatMap(([field, list]) => (list as string[]).map((v): [string, string] => [field, v])), ...junk];
            const { token } = await createSession(db, actor.user.id, { mfaVerified: true });
            const cookie = sessionCookie(token, baseURL!);
            const { type, body } = encode(fieldList, encoding, withFile);
            const before = await footprint(db, watched);
            const response = await context.post(path, {
              headers: { cookie: `${cookie.name}=${cookie.value}`, ...(type ? { 'content-type': type } : {}) },
              ...(body ? { data: body } : {}),
              maxRedirects: 0,
            });
            const what = `${path} ${encoding} ${JSON.stringify(fieldList).slice(0, 300)}`;
            expect(response.status(), what).toBeLessThan(500);
            if ((response.headers()['content-type'] ?? '').includes('text/html')) expect(injectedMarkup(await response.text()), what).toBeNull();
            if (response.status() >= 400) {
              await expectRefusalExplained(response, what);
              expect(await footprint(db, watched), `stored on refusal: ${what}`).toEqual(before);
            }
          }),
          fuzzOptions(name.startsWith('forum.') || name.startsWith('profiles.') ? 25 : 12),
        );
      } finally {
        await context.dispose();
      }
    });
  }
});

// ─── Forms on their pages: a refusal is the page with its message, the text kept, escaped ──

test.describe('fuzz: forms on their pages', () => {
  let world: World;
  test.beforeAll(async ({ db }) => {
    world = await makeWorld(db);
  });

  const forms: { name: string; path: (w: World) => string; action: string }[] = [
    { name: 'reply on a thread page', path: (w) => `/forum/t/${w.threadId}/${w.threadSlug}`, action: 'forum.reply' },
    { name: 'a new thread', path: (w) => `/forum/${w.categorySlug}/new`, action: 'forum.createThread' },
    { name: 'editing a post', path: (w) => `/forum/p/${w.postIds[1]}/edit`, action: 'forum.editPost' },
    { name: 'reporting a post', path: (w) => `/forum/p/${w.postIds[0]}/report`, action: 'forum.reportPost' },
    { name: 'the profile', path: () => '/account/profile', action: 'profiles.save' },
    { name: 'the display name', path: () => '/account', action: 'accounts.changeDisplayName' },
    { name: 'email settings', path: () => '/account/email', action: 'accounts.saveEmailSettings' },
  ];

  for (const { name, path, action } of forms) {
    test(name, async ({ db, playwright, baseURL }) => {
      const actor = world.members.member;
      const watched = [actor.user.id, world.members.moderator.user.id];
      const context = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL!, 'x-forwarded-for': testClientAddress() } });
      const form = fc.record(Object.fromEntries(Object.entries(actions[action]!(world)).map(([field, value]) => [field, fieldValues(value)])), { requiredKeys: [] });
      try {
        await fc.assert(
          fc.asyncProperty(form, fc.constantFrom<Encoding>('urlencoded', 'multipart'), async (values, encoding) => {
            const fieldList = Object.entries(values).flatMap(([field, list]) => (list as string[]).map((v): [string, string] => [field, v]));
            const { token } = await createSession(db, actor.user.id, { mfaVerified: true });
            const cookie = sessionCookie(token, baseURL!);
            const { type, body } = encode(fieldList, encoding, false);
            const before = await footprint(db, watched);
            const response = await context.post(`${path(world)}?_action=${action}`, { headers: { cookie: `${cookie.name}=${cookie.value}`, 'content-type': type! }, data: body, maxRedirects: 0 });
            const what = `${path(world)} ${encoding} ${JSON.stringify(fieldList).slice(0, 300)}`;
            expect(response.status(), what).toBeLessThan(500);
            if (response.status() >= 400) {
              const html = await response.text();
              expect(injectedMarkup(html), what).toBeNull();
              if (response.status() === 400) {
                expect(html, what).toContain('There is a problem');
                expect(html, what).not.toMatch(GENERIC);
              }
              expect(await footprint(db, watched), `stored on refusal: ${what}`).toEqual(before);
            }
          }),
          fuzzOptions(15),
        );
      } finally {
        await context.dispose();
      }
    });
  }
});

// ─── Every on-demand route: path parameters and query strings ───────────────────────

/** Query parameters the shared readers take from the whole query string (search, filters, paging), besides those a page names. */
const SHARED_PARAMS = ['q', 'page', 'category', 'author', 'from', 'to', 'type', 'region', 'area', 'role', 'status', 'organisationId', 'action', 'actor', 'outcome', 'thread', 'next', '_action'];

/** Broken percent-encoding and dot segments, sent as they are. */
const rawSegment = fc.constantFrom('%', '%zz', '%00', '%E0%A4%A', '%FF', '..', '.', '%2e%2e', '..%2f..%2f', '%2F', '%5C', '%u0000', '~', '%20', '%0d%0aSet-Cookie:%20a=b');
/** Text as a path segment or query value: encoded (well-formed), or raw. */
const inUrl = (value: fc.Arbitrary<string>) => fc.oneof({ weight: 4, arbitrary: value.map((v) => encodeURIComponent(v.toWellFormed())) }, { weight: 1, arbitrary: rawSegment });

test.describe('fuzz: every on-demand route', () => {
  let world: World;
  const tokens = new Map<string, string>();
  test.beforeAll(async ({ db }) => {
    world = await makeWorld(db);
  });

  /** Values a path parameter may take that lead somewhere real, so the hostile query reaches the page's own code. */
  const realValues = (param: string): string[] =>
    ({
      id: [String(world.threadId), String(world.members.member.user.id), '1'],
      postId: world.postIds.map(String),
      slug: [world.threadSlug],
      category: [world.categorySlug],
      collection: ['guides'],
    })[param] ?? [];

  const routes = onDemandRoutes().filter(({ pattern }) => pattern !== '/500'); // the error page is a 500 by design

  test('every route is fuzzed', () => {
    expect(routes.length).toBeGreaterThan(50);
  });

  for (const { pattern, params } of routes) {
    test(`GET ${pattern}`, async ({ db, playwright, baseURL }) => {
      const context = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
      const segments = [...pattern.matchAll(/\[(\.\.\.)?(\w+)\]/g)];
      const segmentValues = segments.map(([, rest, param]) => {
        const hostile = rest ? fc.array(inUrl(hostileText), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')) : inUrl(hostileText);
        const real = realValues(param!);
        return real.length ? fc.oneof(hostile, fc.constantFrom(...real)) : hostile;
      });
      const query = fc.array(fc.tuple(fc.constantFrom(...params, ...SHARED_PARAMS), inUrl(fc.oneof(hostileText, hostileNumber))), { maxLength: 5 });
      try {
        await fc.assert(
          fc.asyncProperty(fc.tuple(...segmentValues), query, fc.constantFrom('admin', 'member', 'anonymous'), async (values, pairs, persona) => {
            let i = 0;
            const path = pattern.replace(/\[(\.\.\.)?(\w+)\]/g, () => values[i++]!);
            const url = pairs.length ? `${path}?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : path;
            const headers: Record<string, string> = {};
            if (persona !== 'anonymous') {
              let token = tokens.get(persona);
              if (!token) tokens.set(persona, (token = (await createSession(db, world.members[persona as 'admin' | 'member'].user.id, { mfaVerified: true })).token));
              const cookie = sessionCookie(token, baseURL!);
              headers.cookie = `${cookie.name}=${cookie.value}`;
            }
            const response = await context.get(url, { headers, maxRedirects: 0 });
            expect(response.status(), `${persona} GET ${url}`).toBeLessThan(500);
            if ((response.headers()['content-type'] ?? '').includes('text/html')) expect(injectedMarkup(await response.text()), url).toBeNull();
          }),
          fuzzOptions(6),
        );
      } finally {
        await context.dispose();
      }
    });
  }
});

test('a visitor sent to sign in from a very long address gets a redirect clients can read (found by fuzzing)', async ({ playwright, baseURL }) => {
  const context = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { 'x-forwarded-for': testClientAddress() } });
  const response = await context.get(`/forum/search?q=${'%00'.repeat(4_000)}`, { maxRedirects: 0 });
  expect(response.status()).toBe(302);
  expect(response.headers().location).toBe('/login?next=%2Fforum%2Fsearch');
  await context.dispose();
});
