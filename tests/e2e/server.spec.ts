import { request as httpRequest } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { and, eq, like } from 'drizzle-orm';
import { test, expect, testClientAddress } from './fixtures.ts';
import { e2eClientDir, fixtures } from './test-content.ts';
import { auditLog } from '#db/schema.ts';

/**
 * What the Node wrapper (src/server/) guarantees for every response, checked over HTTP
 * against the built portal: framing, forwarded addresses, malformed bodies, compression.
 */

const anAsset = `/_astro/${readdirSync(join(e2eClientDir, '_astro')).find((f) => f.endsWith('.css'))}`;

test('every kind of response forbids framing, in the policy actually sent', async ({ page, signIn, baseURL }) => {
  await signIn();
  const paths = [
    '/', // prerendered page
    fixtures.currentGuide.url, // prerendered entry
    anAsset, // hashed asset
    '/pagefind/pagefind.js', // search bundle
    '/no-such-page', // 404
    '/login', // on-demand page
    '/account', // signed-in page
    '/forum', // signed-in forum page
    '/members/pagefind/pagefind.js', // protected endpoint
    '/_actions/accounts.signOut', // Action endpoint (GET: refused)
  ];
  for (const path of paths) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    const headers = response.headers();
    expect(headers['content-security-policy'], path).toMatch(/frame-ancestors 'none'/);
    expect(headers['x-frame-options'], path).toBe('DENY');
  }
  const post = await page.request.post('/login?_action=accounts.signIn', { form: { email: 'x@example.org', password: 'x' }, headers: { origin: baseURL! } });
  expect(post.headers()['content-security-policy']).toMatch(/frame-ancestors 'none'/);
});

test('a client behind the proxy cannot choose its address by writing X-Forwarded-For itself', async ({ playwright, db, baseURL }) => {
  // The suite's requests come from a trusted proxy (loopback); the proxy appends the real client.
  const real = testClientAddress();
  const context = await playwright.request.newContext({ baseURL });
  const statuses: number[] = [];
  for (let i = 1; i <= 12; i++) {
    const response = await context.post('/login?_action=accounts.signIn', {
      form: { email: `spoof-${i}-${Date.now()}@example.org`, password: 'not the password' },
      headers: { origin: baseURL!, 'x-forwarded-for': `192.0.2.${i}, ${real}` },
      maxRedirects: 0,
    });
    statuses.push(response.status());
  }
  await context.dispose();
  expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
  expect(statuses.slice(10)).toEqual([429, 429]);
  // Other tests may record such addresses for other actions; no sign-in here is recorded under one.
  expect(await db.select().from(auditLog).where(and(eq(auditLog.action, 'sign-in'), like(auditLog.ip, '192.0.2.%'))).all()).toEqual([]);
});

/** A POST from 127.0.0.2: a client on this machine that is not the trusted proxy. */
function postFromUntrusted(baseURL: string, path: string, body: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(path, baseURL);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', localAddress: '127.0.0.2', headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('forwarded headers from a client that is not a trusted proxy are ignored', async ({ db, baseURL }) => {
  const statuses: number[] = [];
  for (let i = 1; i <= 12; i++) {
    const body = new URLSearchParams({ email: `direct-${i}-${Date.now()}@example.org`, password: 'not the password' }).toString();
    statuses.push(
      await postFromUntrusted(baseURL!, '/login?_action=accounts.signIn', body, {
        'content-type': 'application/x-www-form-urlencoded',
        // A Host that the portal serves, which Astro alone would have taken as leave to believe X-Forwarded-For.
        host: `localhost:${new URL(baseURL!).port}`,
        origin: `http://localhost:${new URL(baseURL!).port}`,
        'x-forwarded-for': `198.51.100.${i}`,
      }),
    );
  }
  expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
  expect(statuses.slice(10)).toEqual([429, 429]);
  expect(await db.select().from(auditLog).where(and(eq(auditLog.action, 'sign-in'), like(auditLog.ip, '198.51.100.%'))).all()).toEqual([]);
});

test('a malformed body gets a 400 with a plain message, never a 500', async ({ page, signIn, baseURL }) => {
  await signIn();
  const origin = { origin: baseURL! };
  const cases = [
    { path: '/_actions/accounts.signIn', type: 'application/json', body: '{"a":' },
    { path: '/_actions/forum.reply', type: 'application/json', body: '{' },
    { path: '/login?_action=accounts.signIn', type: 'application/json', body: '{"a":' },
    { path: '/login?_action=accounts.signIn', type: 'multipart/form-data; boundary=xx', body: 'garbage' },
    { path: '/_actions/accounts.signIn', type: 'multipart/form-data; boundary=xx', body: '--xx\r\nnonsense' },
    { path: '/forum/preview', type: 'application/json', body: '{"body":' },
  ];
  for (const { path, type, body } of cases) {
    const response = await page.request.post(path, { headers: { ...origin, 'content-type': type }, data: Buffer.from(body), maxRedirects: 0 });
    expect(response.status(), `${path} ${type}`).toBe(400);
    expect(await response.text(), `${path} ${type}`).toMatch(/not (valid JSON|a valid form)/);
  }
});

/** A GET whose body arrives as sent (fetch and Playwright would decode it). */
function rawGet(baseURL: string, path: string, headers: Record<string, string>) {
  const url = new URL(path, baseURL);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const decode = (encoding: unknown, body: Buffer) => (encoding === 'br' ? brotliDecompressSync(body) : encoding === 'gzip' ? gunzipSync(body) : body);

test('assets go out compressed at build time, as the browser accepts, and hashed ones are cached for a year', async ({ baseURL }) => {
  const script = readdirSync(join(e2eClientDir, '_astro')).filter((f) => f.endsWith('.js')).sort((a, b) => readFileSync(join(e2eClientDir, '_astro', b)).length - readFileSync(join(e2eClientDir, '_astro', a)).length)[0]!;
  const original = readFileSync(join(e2eClientDir, '_astro', script));
  for (const [accept, encoding] of [
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip;q=0.8', 'gzip'],
    ['identity', undefined],
  ] as const) {
    const response = await rawGet(baseURL!, `/_astro/${script}`, { 'accept-encoding': accept });
    expect(response.status, accept).toBe(200);
    expect(response.headers['content-encoding'], accept).toBe(encoding);
    expect(response.headers.vary, accept).toMatch(/Accept-Encoding/i);
    expect(response.headers['cache-control'], accept).toBe('public, max-age=31536000, immutable');
    expect(response.headers['content-type'], accept).toMatch(/javascript/);
    // The copy written at build time, byte for byte: not compressed again per request.
    if (encoding) expect(response.body.equals(readFileSync(join(e2eClientDir, '_astro', `${script}.${encoding === 'br' ? 'br' : 'gz'}`))), accept).toBe(true);
    expect(decode(encoding, response.body).equals(original), accept).toBe(true);
  }
  // Pagefind's files too, revalidated rather than kept (their names carry no hash).
  const pagefind = await rawGet(baseURL!, '/pagefind/pagefind.js', { 'accept-encoding': 'br' });
  expect(pagefind.headers['content-encoding']).toBe('br');
  expect(pagefind.headers['cache-control']).toBe('public, max-age=0');
  expect(pagefind.body.equals(readFileSync(join(e2eClientDir, 'pagefind/pagefind.js.br')))).toBe(true);
  expect(decode('br', pagefind.body).equals(readFileSync(join(e2eClientDir, 'pagefind/pagefind.js')))).toBe(true);
});

test('pages are compressed as they are sent, prerendered and on demand, signed in or not', async ({ page, signIn, baseURL }) => {
  await signIn();
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  for (const path of ['/', fixtures.currentGuide.url, '/login', '/forum']) {
    const plain = await rawGet(baseURL!, path, { cookie });
    expect(plain.status, path).toBe(200);
    expect(plain.headers['content-encoding'], path).toBeUndefined();
    for (const encoding of ['br', 'gzip']) {
      const packed = await rawGet(baseURL!, path, { cookie, 'accept-encoding': encoding });
      expect(packed.headers['content-encoding'], `${path} ${encoding}`).toBe(encoding);
      expect(packed.headers.vary, path).toMatch(/Accept-Encoding/i);
      expect(packed.headers['content-security-policy'], path).toMatch(/frame-ancestors 'none'/);
      const html = decode(encoding, packed.body).toString('utf8');
      expect(html, `${path} ${encoding}`).toMatch(/^<!DOCTYPE html>/i);
      expect(html.length, path).toBeGreaterThan(packed.body.length * 2);
    }
  }
});

test('a part of a file (a Range request) is the part of the file, never compressed', async ({ baseURL }) => {
  const script = `/_astro/${readdirSync(join(e2eClientDir, '_astro')).find((f) => f.endsWith('.js'))}`;
  const part = await rawGet(baseURL!, '/', { range: 'bytes=0-99', 'accept-encoding': 'gzip' });
  expect(part.status).toBe(206);
  expect(part.headers['content-encoding']).toBeUndefined();
  expect(part.body.length).toBe(100);
  expect(part.body.toString('utf8')).toMatch(/^<!DOCTYPE html>/i);
  // With no encoding accepted, Astro sends the asset as it is, with the same Vary.
  const whole = await rawGet(baseURL!, script, {});
  expect(whole.headers['content-encoding']).toBeUndefined();
  expect(whole.headers.vary).toMatch(/Accept-Encoding/i);
});
