import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { desc } from 'drizzle-orm';
import { test, expect } from '@playwright/test';
import { publishes } from '#db/schema.ts';
import { createSession, SESSION_COOKIE } from '#lib/auth/sessions.ts';
import { openDatabase } from '#lib/db.ts';
import { createMember } from './fixtures.ts';
import { startPortal, stopPortal } from './portal-process.ts';
import { e2eBuild } from './test-content.ts';

/**
 * Several server processes (WEB_CONCURRENCY=2): a Publish pressed on any of them runs
 * once, on the leader, and every process then serves the new build.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A request on a connection of its own, so the cluster can hand it to either process. */
function getOnNewConnection(url: string, headers: Record<string, string> = {}, method = 'GET', body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
    req.end(body);
  });
}

test('with two processes, a Publish runs once on the leader and both processes serve the new build', async () => {
  test.setTimeout(360_000);
  // A content folder of the test's own: the new guide must not reach the suite's content.
  const content = mkdtempSync(join(root, 'node_modules/.cache/e2e/process-content-'));
  cpSync(join(root, e2eBuild.contentDir!), content, { recursive: true });
  const slug = `e2e-processes-${process.pid}`;
  writeFileSync(
    join(content, 'guides', `${slug}.mdx`),
    `---\ntitle: Published across processes\nsummary: A guide that only a publish in a portal of two processes brings out.\npublished: 2026-01-10\naudience: public\ntopics:\n  - multi-agency\nregions:\n  - national\nowner: Test owner\ndraft: false\nsources: []\nreviewed: 2026-01-10\nreviewDue: 2099-01-10\nversion: '1.0'\n---\nThe first paragraph of the guide.\n`,
  );
  const portal = await startPortal({ WEB_CONCURRENCY: '2', CONTENT_DIR: content, MAIL_WORKER: 'off' });
  const db = await openDatabase({ DATABASE_URL: portal.databaseUrl });
  try {
    const editor = await createMember(db, 'editor');
    const { token } = await createSession(db, editor.user.id, { mfaVerified: true });
    const guide = `${portal.url}/guides/${slug}`;
    for (let i = 0; i < 4; i++) expect((await getOnNewConnection(guide)).status).toBe(404);

    const press = () =>
      getOnNewConnection(
        `${portal.url}/_actions/editor.publish`,
        { origin: portal.url, cookie: `${SESSION_COOKIE}=${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        'POST',
        'confirm=publish',
      );
    expect((await press()).status).toBe(200);
    // Pressed again on either process while it runs: the leader says one is running.
    for (let i = 0; i < 2; i++) {
      const again = await press();
      expect(again.status).toBe(409);
      expect(again.text).toContain('A publish is already running');
    }

    await expect
      .poll(async () => (await db.select().from(publishes).orderBy(desc(publishes.id)).limit(1).get())?.status, { timeout: 300_000, intervals: [2000] })
      .toBe('succeeded');
    expect(await db.$count(publishes)).toBe(1);
    const served = await Promise.all(Array.from({ length: 6 }, () => getOnNewConnection(guide)));
    for (const { status, text } of served) {
      expect(status).toBe(200);
      expect(text).toContain('Published across processes');
    }
    // Both processes answered for it.
    const pids = new Set(portal.logs().filter((line) => line.path === `/guides/${slug}` && line.status === 200).map((line) => line.pid));
    expect(pids.size).toBe(2);
  } finally {
    db.$client.close();
    await stopPortal(portal);
    rmSync(content, { recursive: true, force: true });
  }
});

test('SIGHUP replaces the processes one at a time, and no request fails meanwhile', async () => {
  test.setTimeout(240_000);
  const portal = await startPortal({ WEB_CONCURRENCY: '2', MAIL_WORKER: 'off' });
  try {
    const servedBy = (from: number) => new Set(portal.logs().slice(from).filter((line) => typeof line.status === 'number').map((line) => line.pid));
    for (let i = 0; i < 6; i++) expect((await getOnNewConnection(`${portal.url}/login`)).status).toBe(200);
    const before = servedBy(0);
    expect(before.size).toBe(2);

    // Four clients ask for a prerendered page and an on-demand one, on new connections, throughout.
    const failures: string[] = [];
    let answered = 0;
    let loading = true;
    const client = async () => {
      for (let i = 0; loading; i++) {
        const path = i % 2 ? '/login' : '/';
        try {
          const { status } = await getOnNewConnection(`${portal.url}${path}`);
          if (status === 200) answered++;
          else failures.push(`${path}: ${status}`);
        } catch (error) {
          failures.push(`${path}: ${(error as Error).message}`);
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((resolve) => setTimeout(resolve, 500));

    portal.child.kill('SIGHUP');
    await expect.poll(() => portal.lines.some((line) => line.includes('Rolling restart: done.')), { timeout: 180_000, intervals: [500] }).toBe(true);
    const afterRestart = portal.logs().length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    loading = false;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(20);
    for (let i = 0; i < 6; i++) expect((await getOnNewConnection(`${portal.url}/login`)).status).toBe(200);
    // Two new processes serve, and neither of the old ones.
    const after = servedBy(afterRestart);
    expect(after.size).toBe(2);
    for (const pid of after) expect(before.has(pid)).toBe(false);
  } finally {
    await stopPortal(portal);
  }
});
