import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asc } from 'drizzle-orm';
import { request as playwrightRequest } from '@playwright/test';
import { HtmlValidate, type Report } from 'html-validate';
import { test, expect, createMember, sessionCookie, testClientAddress } from './fixtures.ts';
import { e2eClientDir, fixtures } from './test-content.ts';
import { htmlValidateConfig } from './html-validate.config.ts';
import { posts, threads, type Role } from '#db/schema.ts';
import { createSession } from '#lib/auth/sessions.ts';

/**
 * The HTML of one page of each type passes html-validate (rules: ./html-validate.config.ts):
 * the prerendered pages as the build wrote them, and the on-demand pages as the built
 * server sends them to a signed-in member of the role that may see them.
 */
const validator = new HtmlValidate(htmlValidateConfig);

/**
 * What html-validate found in a page, one line per message, so a failure names the page,
 * line and rule; and any `<style>` in the body, which html-validate allows in some places
 * but which belongs in the head (src/lib/island-styles.ts).
 */
async function findings(html: string, name: string): Promise<string[]> {
  const report: Report = await validator.validateString(html, name);
  const found = report.results.flatMap((result) =>
    result.messages.map((m) => `${result.filePath}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`),
  );
  if (html.slice(html.indexOf('</head>')).includes('<style')) found.push(`${name}: a <style> element in the body`);
  return found;
}

/** Prerendered pages, by the address they are served at. */
const staticPages = [
  '/',
  '/guides',
  fixtures.currentGuide.url,
  fixtures.overdueGuide.url,
  '/awareness',
  fixtures.awarenessPage.url,
  '/awareness/strategies/businesses',
  fixtures.strategy.url,
  '/news',
  fixtures.workshopReport.url,
  '/resources',
  fixtures.publicToolkit.url,
  '/events',
  fixtures.summerTimeEvent.url,
  '/topics',
  '/topics/nrm',
  '/search',
  '/about',
  '/accessibility',
  '/privacy',
  '/404',
];

/** The file the build wrote for an address (directory format: /x is x/index.html). */
function builtFile(path: string): string {
  const candidates = [join(e2eClientDir, path, 'index.html'), join(e2eClientDir, `${path}.html`)];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`The build wrote no page for ${path} (looked for ${candidates.join(', ')})`);
  return file;
}

test('prerendered pages of every type are valid HTML', async () => {
  const found: string[] = [];
  for (const path of staticPages) {
    found.push(...(await findings(readFileSync(builtFile(path), 'utf8'), path)));
  }
  expect(found).toEqual([]);
});

/** On-demand pages and the role that sees each one fully (its forms, its tools). */
function onDemandPages(thread: { id: number; slug: string }, postId: number): Array<{ path: string; role: Role | null }> {
  return [
    { path: '/login', role: null },
    { path: '/forgot', role: null },
    { path: '/logout', role: null },
    { path: '/account', role: 'member' },
    { path: '/account/email', role: 'member' },
    { path: '/account/profile', role: 'member' },
    { path: '/account/authenticator', role: 'member' },
    { path: '/account/passkeys', role: 'member' },
    { path: '/account/recovery-codes', role: 'member' },
    { path: '/account/delete', role: 'member' },
    { path: '/members', role: 'member' },
    { path: '/members/guides', role: 'member' },
    { path: fixtures.membersGuide.url, role: 'member' },
    { path: '/members/search', role: 'member' },
    { path: '/members/resources', role: 'member' },
    { path: fixtures.membersPack.url, role: 'member' },
    { path: '/members/events', role: 'member' },
    { path: fixtures.membersEvent.url, role: 'member' },
    { path: '/members/people', role: 'member' },
    { path: '/members/people/1', role: 'member' },
    { path: '/members/people/1/mention', role: 'member' },
    { path: '/members/organisations/1', role: 'member' },
    { path: '/notifications', role: 'member' },
    { path: '/forum', role: 'member' },
    { path: '/forum/multi-agency-working', role: 'member' },
    { path: '/forum/multi-agency-working/new', role: 'member' },
    { path: '/forum/search?q=referral', role: 'member' },
    // The thread page with its reply form, as a member and as a moderator (with the moderation tools).
    { path: `/forum/t/${thread.id}/${thread.slug}`, role: 'member' },
    { path: `/forum/t/${thread.id}/${thread.slug}`, role: 'moderator' },
    { path: `/forum/p/${postId}/history`, role: 'member' },
    { path: `/forum/p/${postId}/report`, role: 'member' },
    { path: `/forum/p/${postId}/edit`, role: 'moderator' },
    { path: `/forum/p/${postId}/delete`, role: 'moderator' },
    { path: '/moderation', role: 'moderator' },
    { path: '/editor', role: 'editor' },
    { path: `/editor/preview/${fixtures.currentGuide.key}`, role: 'editor' },
    { path: '/admin', role: 'admin' },
    { path: '/admin/members', role: 'admin' },
    { path: '/admin/members/1', role: 'admin' },
    { path: '/admin/organisations', role: 'admin' },
    { path: '/admin/organisations/1', role: 'admin' },
    { path: '/admin/audit', role: 'admin' },
    { path: '/admin/outbox', role: 'admin' },
  ];
}

test('on-demand pages of every type are valid HTML as the server sends them', async ({ db, baseURL }) => {
  const thread = (await db.select({ id: threads.id, slug: threads.slug }).from(threads).orderBy(asc(threads.id)).limit(1).get())!;
  const post = (await db.select({ id: posts.id }).from(posts).orderBy(asc(posts.id)).limit(1).get())!;
  const cookies = new Map<Role, string>();
  const found: string[] = [];
  for (const { path, role } of onDemandPages(thread, post.id)) {
    const headers: Record<string, string> = { 'x-forwarded-for': testClientAddress() };
    if (role) {
      if (!cookies.has(role)) {
        const { user } = await createMember(db, role);
        const { token } = await createSession(db, user.id, { mfaVerified: true });
        const cookie = sessionCookie(token, baseURL!);
        cookies.set(role, `${cookie.name}=${cookie.value}`);
      }
      headers.cookie = cookies.get(role)!;
    }
    const context = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: headers, maxRedirects: 0 });
    const response = await context.get(path);
    expect(response.status(), `${role ?? 'visitor'} at ${path}`).toBe(200);
    expect(response.headers()['content-type'], path).toContain('text/html');
    found.push(...(await findings(await response.text(), `${path} (${role ?? 'visitor'})`)));
    await context.dispose();
  }
  expect(found).toEqual([]);
});
