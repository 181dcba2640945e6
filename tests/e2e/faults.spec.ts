import { sql } from 'drizzle-orm';
import { test, expect } from '@playwright/test';
import { createSession, SESSION_COOKIE } from '#lib/auth/sessions.ts';
import { openDatabase, type Database } from '#lib/db.ts';
import { createMember } from './fixtures.ts';
import { crashPortal, newDatabaseUrl, startPortal, stopPortal, type PortalProcess } from './portal-process.ts';

/**
 * A crash while members post: the built portal on a file database, twenty members
 * replying at once, then SIGKILL to every server process mid-stream, three times over.
 * After each crash, every reply that was acknowledged is there exactly once, no reply is
 * there twice, the database passes SQLite's integrity check, and the portal serves again.
 */

const THREAD = { id: 1, path: '/forum/t/1/welcome-to-multi-agency-working-read-this-first-demo' };
const MEMBERS = 20;
/** Each member's replies in a round: fewer than the posting limit of six a minute. */
const REPLIES_EACH = 5;
/** The crash comes once this many replies were acknowledged, with others still on their way. */
const CRASH_AFTER = 30;

for (const processes of ['1', '2']) {
  test(`acknowledged replies survive three crashes, exactly once (WEB_CONCURRENCY=${processes})`, async () => {
    test.setTimeout(240_000);
    const databaseUrl = newDatabaseUrl();
    const env = { WEB_CONCURRENCY: processes, MAIL_WORKER: 'off' };
    let portal = await startPortal(env, databaseUrl);
    const db = await openDatabase({ DATABASE_URL: databaseUrl });
    try {
      for (let round = 1; round <= 3; round++) {
        const { acknowledged, sent } = await replyUntilCrash(portal, db, round);
        expect(acknowledged.length, `round ${round}`).toBeGreaterThanOrEqual(CRASH_AFTER);

        // A connection opened after the crash: the FTS5 part of integrity_check on a connection
        // that was open while another process wrote reports a "malformed inverted index" that
        // is not in the file (checked: a new connection says ok and both find the same rows).
        const after = await openDatabase({ DATABASE_URL: databaseUrl });
        const integrity = await after.all<{ integrity_check: string }>(sql`PRAGMA integrity_check`);
        after.$client.close();
        expect(integrity).toEqual([{ integrity_check: 'ok' }]);
        const stored = await repliesByMarker(db, round);
        for (const marker of acknowledged) expect(stored.get(marker), `acknowledged ${marker}`).toBe(1);
        for (const [marker, count] of stored) {
          expect(count, `stored ${marker}`).toBe(1);
          expect(sent.has(marker), `stored ${marker}`).toBe(true);
        }
        // The thread's counter moved with its posts, in the same transactions.
        const [counter] = await db.all<{ highest: number; last: number }>(
          sql`SELECT highest_post_number AS highest, (SELECT max(post_number) FROM posts WHERE thread_id = ${THREAD.id}) AS last FROM threads WHERE id = ${THREAD.id}`,
        );
        expect(counter!.highest).toBe(counter!.last);

        portal = await startPortal(env, databaseUrl);
        expect((await fetch(`${portal.url}/readyz`)).status).toBe(200);
        expect((await fetch(`${portal.url}/guides`)).status).toBe(200);
      }
    } finally {
      db.$client.close();
      await stopPortal(portal);
    }
  });
}

/** A round: new members (the posting limit is per member) reply until the crash. */
async function replyUntilCrash(portal: PortalProcess, db: Database, round: number) {
  const members = await Promise.all(
    Array.from({ length: MEMBERS }, async () => {
      const member = await createMember(db);
      return (await createSession(db, member.user.id, { mfaVerified: true })).token;
    }),
  );
  const acknowledged: string[] = [];
  const sent = new Set<string>();
  let crashed: Promise<void> | undefined;
  await Promise.all(
    members.map(async (token, m) => {
      for (let r = 1; r <= REPLIES_EACH && !crashed; r++) {
        const marker = `fault-r${round}-m${m}-n${r}`;
        sent.add(marker);
        const status = await postReply(portal.url, token, `A reply from the fault test, ${marker}, about joint visits.`);
        if (status !== 303) continue; // refused, cut off or never answered: not acknowledged
        acknowledged.push(marker);
        if (acknowledged.length === CRASH_AFTER) crashed = crashPortal(portal);
      }
    }),
  );
  await crashed;
  return { acknowledged, sent };
}

async function postReply(base: string, token: string, body: string): Promise<number | string> {
  try {
    const response = await fetch(`${base}${THREAD.path}?_action=forum.reply`, {
      method: 'POST',
      headers: { origin: base, cookie: `${SESSION_COOKIE}=${token}` },
      body: new URLSearchParams({ threadId: String(THREAD.id), body }),
      redirect: 'manual',
    });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  }
}

/** How many posts carry each marker of a round. */
async function repliesByMarker(db: Database, round: number): Promise<Map<string, number>> {
  const rows = await db.all<{ body: string }>(sql`SELECT raw AS body FROM posts WHERE raw LIKE ${`%fault-r${round}-%`}`);
  const counts = new Map<string, number>();
  for (const { body } of rows) {
    const marker = /fault-r\d+-m\d+-n\d+/.exec(body)![0];
    counts.set(marker, (counts.get(marker) ?? 0) + 1);
  }
  return counts;
}
