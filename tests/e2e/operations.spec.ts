import { request as httpRequest } from 'node:http';
import { createClient } from '@libsql/client';
import { test, expect } from '@playwright/test';
import { startPortal, stopPortal, type PortalProcess } from './portal-process.ts';

/**
 * What an operator sees of a running portal (`npm start` in a process of its own, with
 * its own database): health checks, request ids, and the JSON log.
 */

test.describe.configure({ mode: 'serial' });

let portal: PortalProcess;
test.beforeAll(async () => {
  portal = await startPortal();
});
test.afterAll(async () => {
  if (portal) await stopPortal(portal);
});

const requestLines = () => portal.logs().filter((line) => line.msg === 'request');

test('health checks answer without a session, and say nothing personal', async ({ request }) => {
  const live = await request.get(`${portal.url}/healthz`);
  expect(live.status()).toBe(200);
  expect(await live.json()).toEqual({ status: 'ok' });
  const ready = await request.get(`${portal.url}/readyz`);
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ok' });
  expect(ready.headers()['cache-control']).toBe('no-store');
  expect((await request.post(`${portal.url}/readyz`)).status()).toBe(405);
  // Many in a row (a load balancer polls): never throttled.
  for (let i = 0; i < 30; i++) expect((await request.get(`${portal.url}/readyz`)).status()).toBe(200);
});

test('every request gets an id, sent back and written on its one log line with the route, never the URL or secrets', async ({ request }) => {
  const token = 'secret-reset-token-abcdefghijklmnop';
  const password = 'my very secret password 42';
  const reset = await request.get(`${portal.url}/reset/${token}`);
  const signIn = await request.post(`${portal.url}/login?_action=accounts.signIn`, {
    form: { email: 'someone@example.org', password },
    headers: { origin: portal.url, cookie: '__Host-session=made.up' },
    maxRedirects: 0,
  });
  const asset = await request.get(`${portal.url}/robots.txt`);

  for (const response of [reset, signIn, asset]) expect(response.headers()['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  await expect.poll(() => requestLines().length).toBeGreaterThanOrEqual(3);
  const lineOf = (id: string) => requestLines().find((line) => line.reqId === id);
  expect(lineOf(reset.headers()['x-request-id']!)).toMatchObject({ level: 'info', method: 'GET', route: '/reset/[token]', status: reset.status() });
  expect(lineOf(signIn.headers()['x-request-id']!)).toMatchObject({ method: 'POST', route: '/login', status: 401 });
  expect(lineOf(asset.headers()['x-request-id']!)).toMatchObject({ method: 'GET', status: 200 });
  expect(typeof lineOf(reset.headers()['x-request-id']!)!.ms).toBe('number');
  // The internal headers the log line is made from never reach the browser.
  expect(Object.keys(reset.headers()).filter((name) => name.startsWith('x-portal-'))).toEqual([]);

  const everything = portal.lines.join('\n');
  for (const secret of [token, password, 'made.up', 'someone@example.org']) expect(everything).not.toContain(secret);
});

test('a signed-in request’s line carries the member’s id', async ({ request }) => {
  // The demo data of a new database: sign in as its member through the real forms is slow; a session row is enough.
  const db = createClient({ url: portal.databaseUrl });
  const { rows } = await db.execute("SELECT id FROM users WHERE role = 'member' LIMIT 1");
  const userId = Number(rows[0]!.id);
  db.close();
  const { createSession } = await import('#lib/auth/sessions.ts');
  const { openDatabase } = await import('#lib/db.ts');
  const portalDb = await openDatabase({ DATABASE_URL: portal.databaseUrl });
  const { token } = await createSession(portalDb, userId, { mfaVerified: true });
  portalDb.$client.close();

  const response = await request.get(`${portal.url}/account`, { headers: { cookie: `__Host-session=${token}` }, maxRedirects: 0 });
  expect(response.status()).toBe(200);
  const id = response.headers()['x-request-id']!;
  await expect.poll(() => requestLines().find((line) => line.reqId === id)).toMatchObject({ route: '/account', status: 200, member: userId });
  expect(portal.lines.join('\n')).not.toContain(token.split('.')[1]);
});

test('a failure answers the 500 page with the request’s reference, and the log has the error under that id', async ({ request }) => {
  // A fault no request can cause: the sessions table is gone, so loading a session fails.
  const db = createClient({ url: portal.databaseUrl });
  await db.execute('ALTER TABLE sessions RENAME TO sessions_away');
  try {
    const response = await request.get(`${portal.url}/account`, { headers: { cookie: '__Host-session=leakcheckid.leakchecksecret' }, maxRedirects: 0 });
    expect(response.status()).toBe(500);
    const id = response.headers()['x-request-id']!;
    expect(await response.text()).toContain(`Reference: <code data-request-id>${id}</code>`);
    // One error line under that id, with the stack.
    await expect.poll(() => portal.logs().filter((line) => line.reqId === id && line.level === 'error')).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/no such table: sessions|Failed query[\s\S]*\n\s+at /) }),
    ]);
    // The failed query's bound values (here the session id from the cookie) are not logged.
    expect(portal.lines.join('\n')).not.toContain('leakcheck');
    // Readiness still answers: the database is reachable and its migrations are current.
    expect((await request.get(`${portal.url}/readyz`)).status()).toBe(200);
  } finally {
    await db.execute('ALTER TABLE sessions_away RENAME TO sessions');
    db.close();
  }
});

test('SIGTERM lets the requests in flight finish, then the process stops cleanly', async () => {
  const own = await startPortal();
  // Twenty sign-in attempts, each sent with `Expect: 100-continue`: the server answers
  // "100 Continue" once it has read a request's headers, so when all twenty have had it
  // they are certainly in flight. The signal comes then, before their bodies are sent.
  const attempts = Array.from({ length: 20 }, (_, i) => signInInTwoSteps(own.url, `nobody-${i}@example.org`));
  await Promise.all(attempts.map((a) => a.accepted));
  own.child.kill('SIGTERM');
  for (const a of attempts) a.sendBody();
  const answers = await Promise.all(attempts.map((a) => a.status));
  // Every attempt got an HTTP answer (401, or 429 once the address is throttled), none a cut connection.
  expect(answers.filter((answer) => typeof answer !== 'number')).toEqual([]);
  expect(await own.exited).toBe(0);
});

/** A sign-in POST whose body waits until `sendBody`; `accepted` resolves when the server has read its headers. */
function signInInTwoSteps(base: string, email: string) {
  const body = new URLSearchParams({ email, password: 'not the password at all' }).toString();
  const req = httpRequest(`${base}/login?_action=accounts.signIn`, {
    method: 'POST',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
  });
  const accepted = new Promise<void>((resolve) => req.once('continue', resolve));
  const status = new Promise<number | string>((resolve) => {
    req.once('response', (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode!));
    });
    req.once('error', (error) => resolve(`failed: ${error.message}`));
  });
  req.flushHeaders();
  return { accepted, status, sendBody: () => req.end(body) };
}
