/**
 * The browser editor's API behind our checks, called as the route calls it, against a
 * real content folder in a temp dir and a real database: who may use it, from where,
 * which paths and uploads it refuses (nothing written outside the content folder), and
 * two editors saving one entry.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, keptVersions } from '#db/schema.ts';
import { createSession, validateSessionToken } from '#lib/auth/sessions.ts';
import { handleKeystaticApi } from '#lib/editing/keystatic-api.ts';
import { blobSha } from '#lib/editing/conflicts.ts';
import { createTestUser, freshDatabase, type TestDatabase } from './helpers.ts';

const ORIGIN = 'https://portal.test';
const fixtures = new URL('fixtures/content-check/_base', import.meta.url).pathname;
const PNG = readFileSync(join(fixtures, 'images/guides/base-guide/diagram.png'));

let t: TestDatabase;
let work: string;
let content: string;
beforeAll(async () => {
  t = await freshDatabase();
  work = mkdtempSync(join(tmpdir(), 'nmsn-keystatic-'));
  content = join(work, 'content');
  cpSync(fixtures, content, { recursive: true });
  writeFileSync(join(work, 'outside.txt'), 'not for the editor');
});
afterAll(() => {
  t.cleanup();
  rmSync(work, { recursive: true, force: true });
});

type Persona = Awaited<ReturnType<typeof persona>>;
async function persona(role: 'member' | 'editor' | 'admin' | 'moderator') {
  const { user } = await createTestUser(t.db, { role, passwordHash: 'x' });
  const { token } = await createSession(t.db, user.id, { mfaVerified: true });
  const { user: sessionUser, session } = await validateSessionToken(t.db, token);
  return { user: sessionUser!, session: session! };
}

function call(who: Persona | null, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { 'no-cors': '1', 'sec-fetch-site': 'same-origin', ...(method === 'POST' ? { origin: ORIGIN, 'content-type': 'application/json' } : {}), ...init.headers };
  const request = new Request(`${ORIGIN}/api/keystatic/${path}`, { method, headers, body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body) });
  const params = new URL(request.url).pathname.replace(/^\/api\/keystatic\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return handleKeystaticApi({ request, params, member: who, ip: '198.18.0.1', db: t.db, contentDir: content });
}

// As the editor sends a file: standard base64 (it uses btoa), so + and / occur.
const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');
const entryText = (summary: string) => readFileSync(join(content, 'guides/base-guide.mdx'), 'utf8').replace(/^summary: .*$/m, `summary: ${summary}`);
const tree = async (who: Persona) => (await (await call(who, 'tree')).json()) as { path: string; sha: string; type: string }[];

describe('who may use the editor API', () => {
  it('answers a visitor 401 and a member or moderator 403, audited; no-store always', async () => {
    expect((await call(null, 'tree')).status).toBe(401);
    for (const role of ['member', 'moderator'] as const) {
      const who = await persona(role);
      const response = await call(who, 'tree');
      expect(response.status).toBe(403);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      const refused = await t.db.select().from(auditLog).where(eq(auditLog.actorId, who.user.id)).all();
      expect(refused.map((r) => [r.action, r.outcome])).toEqual([['editor-access', 'refused']]);
    }
  });

  it('gives editors and administrators the tree of the content folder only', async () => {
    for (const role of ['editor', 'admin'] as const) {
      const response = await call(await persona(role), 'tree');
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      const paths = ((await response.json()) as { path: string; type: string }[]).filter((e) => e.type === 'blob').map((e) => e.path);
      expect(paths).toContain('guides/base-guide.mdx');
      expect(paths.every((p) => !p.includes('outside') && !p.startsWith('src/'))).toBe(true);
    }
  });

  it('refuses requests from other sites, and writes without an Origin', async () => {
    const editor = await persona('editor');
    expect((await call(editor, 'tree', { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    const body = { additions: [{ path: 'guides/base-guide.mdx', contents: b64(entryText('Written from a hostile site, which must never happen here.')) }], deletions: [] };
    expect((await call(editor, 'update', { body, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await call(editor, 'update', { body, headers: { origin: '', 'sec-fetch-site': 'same-site' } })).status).toBe(403);
    expect(readFileSync(join(content, 'guides/base-guide.mdx'), 'utf8')).not.toContain('hostile');
  });
});

describe('paths and uploads the editor API refuses', () => {
  let editor: Persona;
  beforeAll(async () => {
    editor = await persona('editor');
    await tree(editor);
    mkdirSync(join(content, 'guides'), { recursive: true });
    symlinkSync(join(work, 'outside.txt'), join(content, 'guides/linked.mdx'));
    symlinkSync(work, join(content, 'images/guides/escape'));
  });

  const probes = [
    '../outside.mdx',
    'guides/../../outside.mdx',
    '/etc/passwd',
    'guides/%2e%2e/%2e%2e/outside.mdx',
    'guides\\..\\..\\outside.mdx',
    'guides/.hidden.mdx',
    'src/pages/evil.astro',
    'guides/evil.astro',
    'guides/nested/deep.mdx',
    'images/guides/base-guide/evil.svg',
    'images/guides/base-guide/evil.html',
    'guides/linked.mdx',
    'images/guides/escape/x.png',
    '../public/evil.png',
  ];

  it.each(probes)('update to %s is refused and writes nothing', async (path) => {
    const response = await call(editor, 'update', { body: { additions: [{ path, contents: b64('<script>alert(1)</script>') }], deletions: [] } });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^Refused: /);
    expect(readFileSync(join(work, 'outside.txt'), 'utf8')).toBe('not for the editor');
    expect(existsSync(join(work, 'outside.mdx'))).toBe(false);
    expect(existsSync(join(work, 'x.png'))).toBe(false);
  });

  it.each(probes)('deleting %s is refused', async (path) => {
    expect((await call(editor, 'update', { body: { additions: [], deletions: [{ path }] } })).status).toBe(400);
    expect(existsSync(join(work, 'outside.txt'))).toBe(true);
  });

  it.each([
    `blob/${blobSha(Buffer.from('not for the editor'))}/guides/linked.mdx`,
    'blob/0000/..%2F..%2Foutside.txt',
    'blob/0000/guides/%2e%2e/%2e%2e/outside.txt',
    'blob/0000/images/guides/escape/outside.txt',
  ])('reading %s is refused', async (path) => {
    const response = await call(editor, path);
    // 404 where the address itself resolves the dots away before any route sees it.
    expect([400, 404]).toContain(response.status);
    expect(await response.text()).not.toContain('not for the editor');
  });

  it('refuses an SVG, HTML posing as a PNG and an image over 5 MB; accepts a real PNG', async () => {
    const save = (path: string, bytes: Uint8Array) => call(editor, 'update', { body: { additions: [{ path, contents: b64(bytes) }], deletions: [] } });
    expect(await (await save('images/guides/base-guide/drawing.svg', Buffer.from('<svg onload="alert(1)"/>'))).text()).toMatch(/Refused/);
    const fake = await save('images/guides/base-guide/fake.png', Buffer.from('<html><script>alert(1)</script></html>'));
    expect(fake.status).toBe(400);
    expect(await fake.text()).toMatch(/not a readable PNG/);
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    const tooBig = await save('images/guides/base-guide/big.png', big);
    expect(tooBig.status).toBe(400);
    expect(await tooBig.text()).toMatch(/at most 5 MB/);
    for (const name of ['fake.png', 'big.png', 'drawing.svg']) expect(existsSync(join(content, 'images/guides/base-guide', name))).toBe(false);

    const ok = await save('images/guides/base-guide/photo.png', PNG);
    expect(ok.status).toBe(200);
    expect(readFileSync(join(content, 'images/guides/base-guide/photo.png'))).toEqual(PNG);
  });

  it('takes a resource’s upload only at resources/<entry>/file.<ext>, in an accepted format that is what its name says', async () => {
    const save = (path: string, bytes: Uint8Array) => call(editor, 'update', { body: { additions: [{ path, contents: b64(bytes) }], deletions: [] } });
    // Bytes whose base64 has + and /, as a real file's has.
    const csv = Buffer.from('Name,Role\r\n\u00fb\u00ff?>>>,Chair\r\n');
    expect(b64(csv)).toMatch(/[+/]/);
    const ok = await save('resources/base-resource/file.csv', csv);
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(readFileSync(join(content, 'resources/base-resource/file.csv'))).toEqual(csv);

    const fake = await save('resources/probe-resource/file.pdf', Buffer.from('<html><script>alert(1)</script></html>'));
    expect(fake.status).toBe(400);
    expect(await fake.text()).toMatch(/Not saved: the file is not a PDF file/);
    for (const path of ['resources/probe-resource/file.html', 'resources/probe-resource/report.pdf', 'resources/probe-resource/deeper/file.pdf', 'resources/file.pdf']) {
      expect((await save(path, Buffer.from('%PDF-1.4\n'))).status, path).toBe(400);
    }
    expect(existsSync(join(content, 'resources/probe-resource'))).toBe(false);
    expect(existsSync(join(content, 'resources/file.pdf'))).toBe(false);
  });

  it('answers malformed bodies with 400, never 500', async () => {
    expect((await call(editor, 'update', { body: '{"additions":' })).status).toBe(400);
    expect((await call(editor, 'update', { body: { additions: 'x' } })).status).toBe(400);
    expect((await call(editor, 'update', { body: { additions: [{ path: 'guides/base-guide.mdx', contents: '%%%' }], deletions: [] } })).status).toBe(400);
    expect((await call(editor, 'update', { body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
  });

  it('answers only the calls the editor makes', async () => {
    expect((await call(editor, 'github/login')).status).toBe(404);
    expect((await call(editor, 'update')).status).toBe(404);
    expect((await call(editor, 'tree', { method: 'DELETE', headers: { origin: ORIGIN } })).status).toBe(404);
  });
});

describe('two editors, one entry', () => {
  it('tells the second editor, keeps their text, and keeps the first editor’s change', async () => {
    const alex = await persona('editor');
    const sam = await persona('editor');
    await tree(alex);
    await tree(sam);

    const first = 'The summary Alex wrote, saved first and kept in the library.';
    const second = 'The summary Sam wrote over an old copy, which must not be lost.';
    const alexSave = await call(alex, 'update', { body: { additions: [{ path: 'guides/base-guide.mdx', contents: b64(entryText(first)) }], deletions: [] } });
    expect(alexSave.status).toBe(200);

    const samSave = await call(sam, 'update', { body: { additions: [{ path: 'guides/base-guide.mdx', contents: b64(entryText(second)) }], deletions: [] } });
    expect(samSave.status).toBe(409);
    expect(await samSave.text()).toMatch(new RegExp(`${alex.user.displayName} changed guides/base-guide.mdx[\\s\\S]*kept on the editors' dashboard`));

    expect(readFileSync(join(content, 'guides/base-guide.mdx'), 'utf8')).toContain(first);
    const kept = await t.db.select().from(keptVersions).where(eq(keptVersions.userId, sam.user.id)).all();
    expect(kept.map((k) => [k.path, k.reason])).toEqual([['guides/base-guide.mdx', 'conflict']]);
    expect(kept[0]!.content.toString('utf8')).toContain(second);

    // Having loaded the entry again, Sam can save.
    await tree(sam);
    const again = await call(sam, 'update', { body: { additions: [{ path: 'guides/base-guide.mdx', contents: b64(entryText(second)) }], deletions: [] } });
    expect(again.status).toBe(200);
  });

  it('notices an entry created by someone else under the same name', async () => {
    const alex = await persona('editor');
    const sam = await persona('editor');
    await tree(alex);
    await tree(sam);
    const path = 'news/same-name.mdx';
    const text = readFileSync(join(content, 'news/base-news.mdx'), 'utf8');
    expect((await call(alex, 'update', { body: { additions: [{ path, contents: b64(text) }], deletions: [] } })).status).toBe(200);
    expect((await call(sam, 'update', { body: { additions: [{ path, contents: b64(text.replace('Something happened.', 'Something else.')) }], deletions: [] } })).status).toBe(409);
  });
});
