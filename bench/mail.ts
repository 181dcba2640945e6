/**
 * Mail benchmark: what the outbox costs a reply, how fast the worker delivers to a local
 * SMTP server, and a digest run for 1,000 members, in a temporary libSQL file opened and
 * migrated as the app does. It reports figures and asserts nothing about time; a message
 * that does not arrive, or arrives twice, stops it with a non-zero exit. See bench/README.md.
 *
 *   npm run bench:mail
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { count, eq, inArray } from 'drizzle-orm';
import { categories, mailKindSettings, mailOutbox, mailPreferences, organisations, threadSubscriptions, users } from '#db/schema.ts';
import { migrateDatabase, openDatabase, write, type Database } from '#lib/db.ts';
import { forumActor } from '#lib/forum/access.ts';
import { createReply, createThread } from '#lib/forum/posting.ts';
import { loadConfig } from '#lib/config.ts';
import { mailConfig } from '#lib/mail/config.ts';
import { createDueDigests } from '#lib/mail/digests.ts';
import { enqueueMails } from '#lib/mail/outbox.ts';
import { createMailTransport } from '#lib/mail/transport.ts';
import { sendDueMail } from '#lib/mail/worker.ts';
import { startSmtpSink } from '#tests/smtp-sink.ts';
import { fmt, percentile, printReport } from './report.ts';

const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 50);
const ROUNDS = 10;
const REPLIES_PER_ROUND = 20;
const AUTHORS = 100;
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2_000);
const DIGEST_MEMBERS = Number(process.env.BENCH_DIGEST_MEMBERS ?? 1_000);
const ITEMS_PER_DIGEST = 5;

process.env.TOTP_ENCRYPTION_KEY ??= Buffer.alloc(32, 3).toString('base64');
const log = (message: string) => process.stderr.write(`${message}\n`);
const rows: [string, string][] = [];

const dir = mkdtempSync(join(tmpdir(), 'nmsn-bench-mail-'));
// The server counts messages without parsing them, so it takes little of the worker's CPU.
const sink = await startSmtpSink({ light: true });
let db: Database | undefined;
try {
  db = await openDatabase({ DATABASE_URL: `file:${join(dir, 'portal.db')}` });
  await migrateDatabase(db);
  const config = mailConfig(loadConfig({ SMTP_URL: sink.url, SITE_URL: 'https://portal.example.org', MAIL_FROM: 'portal@example.org' }));

  // ─── 1. A reply's cost with and without mail ──────────────────────────────
  // Two threads, each watched by WATCHERS members: on thread A they chose "Never" for
  // replies in watched threads (notifications only, no outbox row), on thread B "Straight
  // away" (a notification and an outbox row each). Replies alternate between the threads
  // in rounds, each thread from its own 50 rotating authors (the posting limit is 6 a
  // minute each). Posting makes an author watch the thread; the authors chose "Never", so
  // both threads notify the same number of members and only thread B's watchers get mail.
  const [org] = await write(db, (tx) => tx.insert(organisations).values({ name: 'Bench organisation', type: 'charity', region: 'national' }).returning());
  const [category] = await write(db, (tx) => tx.insert(categories).values({ slug: 'bench', name: 'Bench', description: 'Bench' }).returning());
  const member = async (prefix: string, n: number) =>
    (await write(db!, (tx) => tx.insert(users).values(Array.from({ length: n }, (_, i) => ({ email: `${prefix}-${i}@example.org`, displayName: `${prefix} ${i}`, organisationId: org!.id, passwordHash: 'x' }))).returning({ id: users.id }))).map((r) => r.id);
  const authorIds = await member('author', AUTHORS);
  const authors = await Promise.all(authorIds.map((id) => forumActor(db!, id)));
  const authorsOf = { off: authors.slice(0, AUTHORS / 2), on: authors.slice(AUTHORS / 2) };
  const quiet = await member('quiet', WATCHERS);
  const told = await member('told', WATCHERS);
  const threadA = await createThread(db, authorsOf.off[0]!, { categoryId: category!.id, title: 'Thread A', body: 'Start' });
  const threadB = await createThread(db, authorsOf.on[0]!, { categoryId: category!.id, title: 'Thread B', body: 'Start' });
  assert.ok(threadA.ok && threadB.ok);
  await write(db, async (tx) => {
    await tx.insert(threadSubscriptions).values(quiet.map((userId) => ({ userId, threadId: threadA.thread.id, level: 'watching' as const })));
    await tx.insert(threadSubscriptions).values(told.map((userId) => ({ userId, threadId: threadB.thread.id, level: 'watching' as const })));
    await tx.insert(mailKindSettings).values([...quiet, ...authorIds].map((userId) => ({ userId, kind: 'watched-thread-reply' as const, cadence: 'never' as const })));
    await tx.insert(mailKindSettings).values(told.map((userId) => ({ userId, kind: 'watched-thread-reply' as const, cadence: 'immediately' as const })));
  });
  log(`Replies: ${ROUNDS} rounds of ${REPLIES_PER_ROUND} per thread, ${WATCHERS} watchers each…`);
  const timings = { off: [] as number[], on: [] as number[] };
  const wall = { off: 0, on: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [which, threadId] of [['off', threadA.thread.id], ['on', threadB.thread.id]] as const) {
      const start = performance.now();
      for (let i = 0; i < REPLIES_PER_ROUND; i++) {
        const t = performance.now();
        const pool = authorsOf[which];
        const result = await createReply(db, pool[(round * REPLIES_PER_ROUND + i) % pool.length]!, { threadId, body: `Reply ${round}-${i}` });
        assert.ok(result.ok, JSON.stringify(result));
        timings[which].push(performance.now() - t);
      }
      wall[which] += performance.now() - start;
    }
  }
  const queued = (await db.select({ n: count() }).from(mailOutbox).where(eq(mailOutbox.kind, 'watched-thread-reply')).get())!.n;
  const replies = ROUNDS * REPLIES_PER_ROUND;
  assert.equal(queued, replies * WATCHERS, 'one message per watcher per reply on thread B, none on thread A');
  for (const key of ['off', 'on'] as const) timings[key].sort((a, b) => a - b);
  const perSecond = (key: 'off' | 'on') => (replies / wall[key]) * 1000;
  rows.push([`replies/s, ${WATCHERS} watchers who chose Never (no mail queued)`, `${fmt(perSecond('off'))} (median ${fmt(percentile(timings.off, 50), 2)} ms, p95 ${fmt(percentile(timings.off, 95), 2)} ms)`]);
  rows.push([`replies/s, ${WATCHERS} watchers who chose Straight away`, `${fmt(perSecond('on'))} (median ${fmt(percentile(timings.on, 50), 2)} ms, p95 ${fmt(percentile(timings.on, 95), 2)} ms)`]);
  rows.push(['… messages queued/s inside those replies', fmt(perSecond('on') * WATCHERS, 0)]);
  rows.push(['… median reply latency with mail / without', `${fmt(percentile(timings.on, 50) / percentile(timings.off, 50), 2)}×`]);

  // ─── 2. Delivery to a local SMTP server ───────────────────────────────────
  // The queued watching messages are dropped; then DELIVERIES security notices (one
  // recipient lookup, no forum queries) and DELIVERIES mentions' worth of forum mail (the
  // post, its thread and category, the member's levels, all checked again) are sent.
  await write(db, (tx) => tx.delete(mailOutbox));
  const recipients = [...quiet, ...told];
  const transport = createMailTransport(config);
  for (const [label, messages] of [
    ['security notices', (i: number) => ({ kind: 'password-changed' as const, userId: recipients[i % recipients.length]!, data: { how: 'changed' as const } })],
    ['forum replies (visibility checked when built)', (i: number) => ({ kind: 'reply' as const, userId: recipients[i % recipients.length]!, data: { postId: threadB.postId } })],
  ] as const) {
    await write(db, (tx) => enqueueMails(tx, Array.from({ length: DELIVERIES }, (_, i) => messages(i))));
    const before = sink.messages.length;
    log(`Delivering ${DELIVERIES} ${label}…`);
    const start = performance.now();
    const result = await sendDueMail(db, config, transport, { batchSize: 12, concurrency: 3 });
    const ms = performance.now() - start;
    assert.equal(result.sent, DELIVERIES, JSON.stringify(result));
    assert.equal(sink.messages.length - before, DELIVERIES);
    rows.push([`delivered/s to a local SMTP server: ${label}`, `${fmt((DELIVERIES / ms) * 1000)} (${DELIVERIES} in ${fmt(ms / 1000, 2)} s)`]);
  }
  assert.equal(new Set(sink.messages.map((m) => m.messageId)).size, sink.messages.length, 'no message twice');
  transport.close();

  // ─── 3. A digest run for DIGEST_MEMBERS members ───────────────────────────
  // Each has ITEMS_PER_DIGEST mentions held for the daily digest at 07:00 London.
  log(`Digests: ${DIGEST_MEMBERS} members with ${ITEMS_PER_DIGEST} held messages each…`);
  const digestMembers = await member('digest', DIGEST_MEMBERS);
  const heldAt = new Date('2026-11-09T12:00:00Z');
  await write(db, async (tx) => {
    await tx.insert(mailPreferences).values(digestMembers.map((userId) => ({ userId })));
    for (let i = 0; i < digestMembers.length; i += 200) {
      const slice = digestMembers.slice(i, i + 200);
      await tx.insert(mailKindSettings).values(slice.map((userId) => ({ userId, kind: 'mention' as const, cadence: 'daily' as const })));
      await enqueueMails(tx, slice.flatMap((userId) => Array.from({ length: ITEMS_PER_DIGEST }, () => ({ kind: 'mention' as const, userId, data: { postId: threadB.postId } }))), heldAt);
    }
  });
  const held = (await db.select({ n: count() }).from(mailOutbox).where(inArray(mailOutbox.userId, digestMembers)).get())!.n;
  assert.equal(held, DIGEST_MEMBERS * ITEMS_PER_DIGEST);
  const at = new Date('2026-11-10T07:30:00Z');
  let start = performance.now();
  const made = await createDueDigests(db, at);
  const makeMs = performance.now() - start;
  assert.equal(made, DIGEST_MEMBERS);
  const digestTransport = createMailTransport(config);
  const before = sink.messages.length;
  start = performance.now();
  const sent = await sendDueMail(db, config, digestTransport, { batchSize: 12, concurrency: 3, now: () => at });
  const sendMs = performance.now() - start;
  digestTransport.close();
  assert.equal(sent.sent, DIGEST_MEMBERS, JSON.stringify(sent));
  assert.equal(sink.messages.length - before, DIGEST_MEMBERS);
  rows.push([`digest run: make ${fmt(DIGEST_MEMBERS, 0)} daily digests (${ITEMS_PER_DIGEST} items each)`, `${fmt(makeMs / 1000, 2)} s`]);
  rows.push([`digest run: build and deliver them`, `${fmt(sendMs / 1000, 2)} s (${fmt((DIGEST_MEMBERS / sendMs) * 1000)} digests/s)`]);

  printReport('', ['Measure', 'Value'], rows);
} finally {
  db?.$client.close();
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
}
