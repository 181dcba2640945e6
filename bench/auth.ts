/**
 * Auth benchmark: what signing in and checking a session cost on this machine, in a
 * temporary libSQL file opened and migrated as the app does. It reports figures only and
 * asserts nothing about time; a step that does not work (a sign-in refused, a session
 * not found) stops it with a non-zero exit. See bench/README.md.
 *
 *   npm run bench:auth
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { count } from 'drizzle-orm';
import { organisations, sessions, throttleEvents, users } from '#db/schema.ts';
import { migrateDatabase, openDatabase, write, type Database } from '#lib/db.ts';
import { hashPassword, verifyPassword } from '#lib/auth/passwords.ts';
import { createSession, validateSessionToken } from '#lib/auth/sessions.ts';
import { checkPassword } from '#lib/auth/sign-in.ts';
import { fmt, percentile, printReport } from './report.ts';

const HASH_RUNS = 20;
const SIGN_INS = 100;
const SESSIONS = 1_000;
const VALIDATIONS = 5_000;
const WARM_UP = 500;
const PASSWORD = 'marble kettle orchard lantern';

const log = (message: string) => process.stderr.write(`${message}\n`);

/** Runs `task(0..n-1)` with at most `concurrency` in flight; returns each call's ms and the wall time. */
async function timed(n: number, concurrency: number, task: (i: number) => Promise<void>) {
  const durations: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await task(i);
        durations.push(performance.now() - t);
      }
    }),
  );
  const wallMs = performance.now() - start;
  durations.sort((a, b) => a - b);
  return { perSecond: (n / wallMs) * 1000, medianMs: percentile(durations, 50), p95Ms: percentile(durations, 95), durations };
}

const rows: [string, string][] = [];

const dir = mkdtempSync(join(tmpdir(), 'nmsn-bench-auth-'));
let db: Database | undefined;
try {
  db = await openDatabase({ DATABASE_URL: `file:${join(dir, 'portal.db')}` });
  await migrateDatabase(db);

  // 1. argon2id, with the portal's parameters (m=19456 KiB, t=2, p=1).
  log(`argon2id: ${HASH_RUNS} hashes, then ${HASH_RUNS} verifications…`);
  await hashPassword('warm-up passphrase');
  const hashes: string[] = [];
  const hashing = await timed(HASH_RUNS, 1, async () => void hashes.push(await hashPassword(PASSWORD)));
  const verifying = await timed(HASH_RUNS, 1, async (i) => assert.equal(await verifyPassword(hashes[i]!, PASSWORD), true));
  // Two at once: argon2 runs on libuv's thread pool, so this shows what a second core buys.
  const verifyingTwo = await timed(HASH_RUNS, 2, async (i) => assert.equal(await verifyPassword(hashes[i]!, PASSWORD), true));
  rows.push(['argon2id hashes/s (hashPassword, sequential)', `${fmt(hashing.perSecond)} (median ${fmt(hashing.medianMs)} ms)`]);
  rows.push(['argon2id verifications/s (verifyPassword, sequential)', `${fmt(verifying.perSecond)} (median ${fmt(verifying.medianMs)} ms)`]);
  rows.push(['argon2id verifications/s (verifyPassword, 2 at a time)', `${fmt(verifyingTwo.perSecond)} (median ${fmt(verifyingTwo.medianMs)} ms each)`]);

  // 2. Sign-ins through checkPassword: throttle write, user lookup, argon2 check (and an
  // audit row when it fails). Every attempt uses its own member (email) and its own IP
  // address, so each throttle key sees one attempt and the limit never interferes; the
  // throttle's write still happens on every attempt, as in production.
  const passwordHash = hashes[0]!;
  const groups = ['seq', 'par', 'wrong', 'unknown'] as const;
  const emailOf = (group: string, i: number) => `bench-${group}-${i}@example.org`;
  const ipOf = (group: string, i: number) => `10.${groups.indexOf(group as (typeof groups)[number]) + 1}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
  await write(db, async (tx) => {
    const [organisation] = await tx.insert(organisations).values({ name: 'Bench organisation', type: 'charity', region: 'national' }).returning();
    for (const group of ['seq', 'par', 'wrong']) {
      await tx.insert(users).values(
        Array.from({ length: SIGN_INS }, (_, i) => ({ email: emailOf(group, i), displayName: `Bench ${group} ${i}`, organisationId: organisation!.id, passwordHash })),
      );
    }
  });
  const signIn = (group: string, password: string, expectOk: boolean) => async (i: number) => {
    const result = await checkPassword(db!, emailOf(group, i), password, ipOf(group, i));
    assert.equal(result.ok, expectOk, `sign-in ${group} ${i}: ${JSON.stringify(result)}`);
  };
  log(`checkPassword: ${SIGN_INS} sign-ins each, sequential and 2 at a time…`);
  const sequential = await timed(SIGN_INS, 1, signIn('seq', PASSWORD, true));
  const concurrent = await timed(SIGN_INS, 2, signIn('par', PASSWORD, true));
  const wrong = await timed(SIGN_INS, 1, signIn('wrong', 'not the password at all', false));
  const unknown = await timed(SIGN_INS, 1, signIn('unknown', PASSWORD, false));
  rows.push(['sign-ins/s, right password, sequential', `${fmt(sequential.perSecond)} (median ${fmt(sequential.medianMs)} ms)`]);
  rows.push(['sign-ins/s, right password, 2 at a time', `${fmt(concurrent.perSecond)} (median ${fmt(concurrent.medianMs)} ms each)`]);
  rows.push(['refusals/s, wrong password, sequential', `${fmt(wrong.perSecond)} (median ${fmt(wrong.medianMs)} ms)`]);
  rows.push(['refusals/s, unknown email, sequential', `${fmt(unknown.perSecond)} (median ${fmt(unknown.medianMs)} ms)`]);
  const throttled = await db.select({ n: count() }).from(throttleEvents).get();
  assert.equal(throttled!.n, 4 * SIGN_INS * 2, 'one account and one address event per attempt');

  // 3. Session validation on every request, with ~1,000 sessions in the table. All were
  // created seconds ago, so lastVerifiedAt is fresh and no call takes the write path.
  log(`sessions: creating ${SESSIONS}, then ${VALIDATIONS} validations…`);
  const members = await db.select({ id: users.id }).from(users).all();
  const tokens: string[] = [];
  const creating = await timed(SESSIONS, 1, async (i) => {
    tokens.push((await createSession(db!, members[i % members.length]!.id, { ip: '10.9.0.1', userAgent: 'bench' })).token);
  });
  assert.equal((await db.select({ n: count() }).from(sessions).get())!.n, SESSIONS);
  let seed = 1;
  const randomToken = () => tokens[(seed = (seed * 48271) % 2147483647) % tokens.length]!;
  const validate = async () => {
    const { user } = await validateSessionToken(db!, randomToken());
    assert.ok(user, 'a fresh session validates');
  };
  for (let i = 0; i < WARM_UP; i++) await validate();
  const validation = await timed(VALIDATIONS, 1, validate);
  const unknownToken = `${'a'.repeat(24)}.${'b'.repeat(52)}`;
  const miss = await timed(VALIDATIONS, 1, async () => assert.equal((await validateSessionToken(db!, unknownToken)).user, null));
  const us = (ms: number) => fmt(ms * 1000, 0);
  rows.push([`createSession/s (write queue), sequential`, `${fmt(creating.perSecond, 0)} (median ${us(creating.medianMs)} µs)`]);
  rows.push([`validateSessionToken, ${fmt(SESSIONS, 0)} sessions, ${fmt(VALIDATIONS, 0)} calls: median / p95`, `${us(validation.medianMs)} µs / ${us(validation.p95Ms)} µs`]);
  rows.push([`validateSessionToken, unknown id: median / p95`, `${us(miss.medianMs)} µs / ${us(miss.p95Ms)} µs`]);

  printReport('', ['Measure', 'Value'], rows);
} finally {
  db?.$client.close();
  rmSync(dir, { recursive: true, force: true });
}
