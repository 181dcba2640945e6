/**
 * Forum benchmark: a temporary libSQL file seeded with 20,000 threads and 400,000 posts,
 * then (1) how long seeding and indexing take, (2) forum search in process, and (3) the
 * built server under autocannon: a thread's first and a deep page, a category page, a
 * forum search, and the same thread page as a static file for a ceiling. It reports
 * figures and asserts nothing about time; a step that does not work (a page that is not
 * 200, a search that finds nothing) stops it with a non-zero exit. See bench/README.md.
 *
 *   npm run bench:forum
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Result as AutocannonResult } from 'autocannon';
import { sql } from 'drizzle-orm';
import { categories, organisations, posts, threads, users, type OrganisationType } from '#db/schema.ts';
import { migrateDatabase, openDatabase, write, type Database } from '#lib/db.ts';
import { createSession, SESSION_COOKIE } from '#lib/auth/sessions.ts';
import { forumActor } from '#lib/forum/access.ts';
import { CANDIDATE_LIMIT, searchForum } from '#lib/forum/search.ts';
import { capital, prng, word } from './synthetic-text.ts';

const THREADS = Number(process.env.BENCH_THREADS ?? 20_000);
const POSTS = Number(process.env.BENCH_POSTS ?? 400_000);
/** The thread whose pages are measured: long enough for a deep page. */
const LONG_THREAD_POSTS = Math.min(1_000, Math.floor(POSTS / 4));
/** `bulk` (default): load without the FTS triggers, then fill the index in one statement; `triggers`: index row by row as the app does. */
const FTS_MODE = process.env.BENCH_FTS === 'triggers' ? 'triggers' : 'bulk';
/** Seconds per autocannon run, and its connections. */
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const BATCH = 2_000;

/** In about 0.05% of posts: a search with a handful of results. */
const RARE_WORD = 'kittiwake';
/** Drawn often from the vocabulary: a search matching tens of thousands of threads. */
const COMMON_WORD = 'referral';

const root = fileURLToPath(new URL('..', import.meta.url));
const log = (message: string) => process.stderr.write(`${message}\n`);
const execFileAsync = promisify(execFile);

// ─── Synthetic text (seeded, so every run writes the same forum) ──────────────

const r = prng(20261129);

const sentence = (min: number, max: number) => capital(Array.from({ length: r.int(min, max) }, () => word(r)).join(' '));

/** A post: 1–3 paragraphs, 20–120 words; Markdown and its HTML made together (plain words need no renderer). */
function postText(extra?: string): { raw: string; html: string } {
  const paragraphs = Array.from({ length: r.int(1, 3) }, () => `${sentence(8, 20)}. ${sentence(8, 20)}.`);
  if (extra) paragraphs[0] = `${paragraphs[0]} ${capital(extra)} came up again.`;
  return { raw: paragraphs.join('\n\n'), html: paragraphs.map((p) => `<p>${p}</p>`).join('\n') };
}

/** Posts per thread: the long thread first, the rest 1–39 (mean about 20), topped up to exactly POSTS. */
function threadSizes(): number[] {
  const sizes = [LONG_THREAD_POSTS, ...Array.from({ length: THREADS - 1 }, () => r.int(1, 39))];
  let total = sizes.reduce((a, b) => a + b, 0);
  while (total !== POSTS) {
    const i = r.int(1, THREADS - 1);
    if (total < POSTS) (sizes[i]! += 1), (total += 1);
    else if (sizes[i]! > 1) (sizes[i]! -= 1), (total -= 1);
  }
  return sizes;
}

// ─── Seeding ─────────────────────────────────────────────────────────────────

interface Seeded {
  memberId: number;
  longThread: { id: number; slug: string };
  categorySlug: string;
  rareCount: number;
  timings: [string, number][];
}

async function seed(db: Database): Promise<Seeded> {
  const timings: [string, number][] = [];
  const time = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await work();
    timings.push([label, performance.now() - t]);
    return result;
  };
  const orgTypes: OrganisationType[] = ['opcc', 'police-force', 'charity', 'local-authority-safeguarding', 'health', 'housing'];
  const { memberId, categoryIds, authorIds } = await write(db, async (tx) => {
    const orgs = await tx.insert(organisations).values(orgTypes.map((type, i) => ({ name: `Bench organisation ${i}`, type, region: 'national' }))).returning();
    const people = await tx
      .insert(users)
      .values(Array.from({ length: 300 }, (_, i) => ({ email: `bench-${i}@example.org`, displayName: `Bench member ${i}`, organisationId: orgs[i % orgs.length]!.id, passwordHash: 'not-a-real-hash' })))
      .returning({ id: users.id, organisationId: users.organisationId });
    const cats = await tx
      .insert(categories)
      .values([
        ...['general', 'referrals-and-the-nrm', 'victim-support', 'training-and-events', 'data-and-reporting', 'regional-networks'].map((slug, i) => ({ slug, name: capital(slug.replaceAll('-', ' ')), description: 'Bench category', position: i })),
        { slug: 'pccs-and-chiefs', name: 'PCCs and chiefs only', description: 'Restricted', position: 10, allowedOrganisationTypes: ['opcc', 'police-force'] as OrganisationType[] },
      ])
      .returning();
    // The measured member is a charity member: they cannot see the restricted category.
    const member = people.find((p) => p.organisationId === orgs[2]!.id)!;
    return { memberId: member.id, categoryIds: cats.map((c) => c.id), authorIds: people.map((p) => p.id) };
  });

  let triggers: { name: string; sql: string }[] = [];
  if (FTS_MODE === 'bulk') {
    const rows = await db.$client.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('posts', 'threads') AND sql LIKE '%posts_fts%'");
    triggers = rows.rows.map((row) => ({ name: String(row.name), sql: String(row.sql) }));
    await write(db, async (tx) => {
      for (const t of triggers) await tx.run(sql.raw(`DROP TRIGGER ${t.name}`)); // names from sqlite_master, not input
    });
  }

  const sizes = threadSizes();
  const start = Date.parse('2024-01-01T00:00:00Z');
  const span = Date.parse('2026-11-01T00:00:00Z') - start;
  // Threads, in id order: the first is the long thread, in the first (open) category.
  const threadRows = sizes.map((_, i) => {
    const createdAt = start + Math.floor((i / THREADS) * span);
    const title = sentence(3, 8);
    return {
      categoryId: i === 0 ? categoryIds[0]! : categoryIds[r.int(0, categoryIds.length - 1)]!,
      title: title.slice(0, 150),
      slug: title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'thread',
      authorId: authorIds[r.int(0, authorIds.length - 1)]!,
      createdAt: new Date(createdAt),
      bumpedAt: new Date(createdAt + sizes[i]! * 3_600_000),
      replyCount: sizes[i]! - 1,
      highestPostNumber: sizes[i]!,
    };
  });
  const threadIds = await time('threads', async () => {
    const ids: number[] = [];
    await write(db, async (tx) => {
      for (let i = 0; i < threadRows.length; i += BATCH) {
        const inserted = await tx.insert(threads).values(threadRows.slice(i, i + BATCH)).returning({ id: threads.id });
        ids.push(...inserted.map((t) => t.id));
      }
    });
    return ids;
  });

  let rareCount = 0;
  await time(`posts (${FTS_MODE === 'triggers' ? 'FTS triggers on' : 'FTS triggers off'})`, async () => {
    let batch: (typeof posts.$inferInsert)[] = [];
    let written = 0;
    const flush = async () => {
      const rows = batch;
      batch = [];
      await write(db, async (tx) => {
        for (let i = 0; i < rows.length; i += BATCH) await tx.insert(posts).values(rows.slice(i, i + BATCH));
      });
      written += rows.length;
      log(`  ${written.toLocaleString('en-GB')} posts`);
    };
    for (const [t, size] of sizes.entries()) {
      const created = threadRows[t]!.createdAt.getTime();
      for (let n = 1; n <= size; n += 1) {
        const rare = r.next() < 0.0005;
        if (rare) rareCount += 1;
        const text = postText(rare ? RARE_WORD : undefined);
        batch.push({ threadId: threadIds[t]!, postNumber: n, authorId: authorIds[r.int(0, authorIds.length - 1)]!, raw: text.raw, html: text.html, createdAt: new Date(created + (n - 1) * 3_600_000) });
      }
      // One transaction per 50,000 posts: big enough to be fast, short enough not to hold the lock for long.
      if (batch.length >= 50_000) await flush();
    }
    if (batch.length) await flush();
  });

  if (FTS_MODE === 'bulk') {
    await time('FTS index in one statement', () =>
      write(db, async (tx) => {
        await tx.run(sql`INSERT INTO posts_fts (rowid, title, body) SELECT p.id, t.title, p.raw FROM posts p JOIN threads t ON t.id = p.thread_id`);
        for (const t of triggers) await tx.run(sql.raw(t.sql)); // the migration's own trigger text, put back
      }),
    );
  }
  const [indexed, written, triggersNow] = await Promise.all(
    ['SELECT count(*) AS n FROM posts_fts', 'SELECT count(*) AS n FROM posts', "SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%posts_fts%'"].map(async (q) => Number((await db.$client.execute(q)).rows[0]!.n)),
  );
  assert.equal(indexed, written, 'every post is in the full-text index');
  assert.equal(triggersNow, 4, 'the four FTS triggers are in place');
  await time("FTS 'optimize' (merge the index into one b-tree)", () => write(db, (tx) => tx.run(sql`INSERT INTO posts_fts (posts_fts) VALUES ('optimize')`)));
  await time('ANALYZE', () => db.$client.execute('ANALYZE').then(() => undefined));
  // Fold the write-ahead log into the file, as a quiet server would soon do, so the size below is the database's.
  await time('WAL checkpoint', () => db.$client.execute('PRAGMA wal_checkpoint(TRUNCATE)').then(() => undefined));

  const long = await db.select({ id: threads.id, slug: threads.slug }).from(threads).where(sql`${threads.id} = ${threadIds[0]!}`).get();
  const cat = await db.select({ slug: categories.slug }).from(categories).where(sql`${categories.id} = ${categoryIds[0]!}`).get();
  return { memberId, longThread: long!, categorySlug: cat!.slug, rareCount, timings };
}

// ─── Measuring ───────────────────────────────────────────────────────────────

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timeCalls(n: number, call: () => Promise<unknown>) {
  const durations: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    await call();
    durations.push(performance.now() - t);
  }
  durations.sort((a, b) => a - b);
  return { p50: percentile(durations, 50), p99: percentile(durations, 99) };
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
}

/**
 * One autocannon run, in a process of its own: in this process it would take the server's
 * event loop (the server runs here, through serve()); apart, each gets a core of the two.
 */
async function load(url: string, headers: Record<string, string>, connections = CONNECTIONS): Promise<Load> {
  const args = [join(root, 'node_modules/autocannon/autocannon.js'), '-j', '-c', String(connections), '-d', String(DURATION)];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  const { stdout } = await execFileAsync(process.execPath, [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as AutocannonResult;
  const bad = result.non2xx + result.errors + result.timeouts;
  assert.equal(bad, 0, `${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total };
}

/**
 * `ensureBuilt` (src/server/build.ts) with the build's output on stderr, so that stdout
 * carries only the table.
 */
async function buildIfStale(): Promise<void> {
  const { isBuildCurrent } = await import('#server/build.ts');
  if (isBuildCurrent(root)) return;
  log('Building the portal (sources changed since the last build)…');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  assert.equal(result.status, 0, 'the build failed; see the messages above');
  writeFileSync(join(root, 'dist/.built-at'), new Date().toISOString());
}

// ─── Run ─────────────────────────────────────────────────────────────────────

const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`;
const rows: [string, string][] = [];

const dir = mkdtempSync(join(tmpdir(), 'nmsn-bench-forum-'));
const file = join(dir, 'portal.db');
// The server reads its database from the environment on first use: set it before serve() imports the build.
process.env.DATABASE_URL = `file:${file}`;
process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');
let db: Database | undefined;
const servers: Server[] = [];
try {
  db = await openDatabase({ DATABASE_URL: process.env.DATABASE_URL! });
  await migrateDatabase(db);

  log(`Seeding ${fmt(THREADS)} threads and ${fmt(POSTS)} posts (FTS: ${FTS_MODE})…`);
  const seedStart = performance.now();
  const seeded = await seed(db);
  const seedMs = performance.now() - seedStart;
  const bytes = ['', '-wal'].map((s) => (existsSync(file + s) ? statSync(file + s).size : 0)).reduce((a, b) => a + b, 0);
  rows.push([`Seed ${fmt(THREADS)} threads, ${fmt(POSTS)} posts, FTS ${FTS_MODE === 'bulk' ? 'filled after the load' : 'by triggers'}`, seconds(seedMs)]);
  for (const [label, ms] of seeded.timings) rows.push([`… ${label}`, seconds(ms)]);
  rows.push(['Database file after the checkpoint', `${fmt(bytes / 1e6, 0)} MB`]);

  // Search in process: the lib call a page makes, without HTTP.
  const actor = await forumActor(db, seeded.memberId);
  const queries = [RARE_WORD, COMMON_WORD, `${COMMON_WORD} housing`, '"safe house"', 'safeg*'];
  for (const q of queries) {
    const outcome = await searchForum(db, actor, { q, page: 1 });
    assert.equal(outcome.status, 'done');
    assert.ok(outcome.status === 'done' && outcome.total > 0, `"${q}" finds something`);
    const timing = await timeCalls(20, () => searchForum(db!, actor, { q, page: 1 }));
    const capped = outcome.status === 'done' && outcome.capped ? `, the newest ${fmt(CANDIDATE_LIMIT)} matching posts` : '';
    rows.push([`searchForum [${q}] (${fmt(outcome.status === 'done' ? outcome.total : 0)} threads${capped}): p50 / p99 of 20`, `${fmt(timing.p50, 1)} ms / ${fmt(timing.p99, 1)} ms`]);
  }
  // The same common word without the candidate limit: what ranking every match costs.
  const uncapped = { candidateLimit: Number.MAX_SAFE_INTEGER - 1 };
  const all = await searchForum(db, actor, { q: COMMON_WORD, page: 1 }, uncapped);
  const allTiming = await timeCalls(5, () => searchForum(db!, actor, { q: COMMON_WORD, page: 1 }, uncapped));
  rows.push([`searchForum [${COMMON_WORD}] ranking every match (${fmt(all.status === 'done' ? all.total : 0)} threads): p50 / p99 of 5`, `${fmt(allTiming.p50, 1)} ms / ${fmt(allTiming.p99, 1)} ms`]);
  const rare = await searchForum(db, actor, { q: RARE_WORD, page: 1 });
  assert.ok(rare.status === 'done' && rare.total > 0 && rare.total <= seeded.rareCount);

  // HTTP: the built server against this database.
  if (!existsSync(join(root, 'src/pages/forum/t'))) {
    log('The thread page (src/pages/forum/t) does not exist yet: skipping the HTTP measurements.');
  } else if (process.env.BENCH_SKIP_HTTP) {
    log('BENCH_SKIP_HTTP is set: skipping the HTTP measurements.');
  } else {
    await buildIfStale();
    const { serve } = await import('#server/serve.ts');
    const { server, url } = await serve({ distDir: join(root, 'dist'), host: '127.0.0.1', port: 0, publicOrigin: new URL('http://localhost:4321') });
    servers.push(server);
    const { token } = await createSession(db, seeded.memberId, { mfaVerified: true, ip: '127.0.0.1', userAgent: 'bench' });
    // No X-Forwarded-For: the client address is the socket's.
    const headers = { cookie: `${SESSION_COOKIE}=${token}` };
    const deepPage = Math.ceil(LONG_THREAD_POSTS / 20);
    const targets: [string, string][] = [
      ['thread page 1 (20 posts)', `/forum/t/${seeded.longThread.id}/${seeded.longThread.slug}`],
      [`thread page ${deepPage} of ${deepPage}`, `/forum/t/${seeded.longThread.id}/${seeded.longThread.slug}?page=${deepPage}`],
      ['category page 1 (25 threads)', `/forum/${seeded.categorySlug}`],
      [`forum search "${RARE_WORD}"`, `/forum/search?q=${RARE_WORD}`],
      [`forum search "${COMMON_WORD}"`, `/forum/search?q=${COMMON_WORD}`],
    ];
    for (const [, path] of targets) {
      const response = await fetch(new URL(path, url), { headers, redirect: 'manual' });
      assert.equal(response.status, 200, `${path} answers 200 (got ${response.status})`);
    }
    // The ceiling: the same thread page's bytes, answered from memory by a plain node:http
    // server with the same security headers: what Node itself can do here, no Astro, no database.
    const page = await fetch(new URL(targets[0]![1], url), { headers });
    const body = Buffer.from(await page.arrayBuffer());
    const { securityHeaders } = await import('#server/security-headers.ts');
    const staticHeaders = { ...securityHeaders(new URL('http://localhost:4321')), 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length) };
    const ceiling = createServer((_req, res) => {
      res.writeHead(200, staticHeaders);
      res.end(body);
    });
    servers.push(ceiling);
    await new Promise<void>((resolve) => ceiling.listen(0, '127.0.0.1', resolve));
    const ceilingPort = (ceiling.address() as { port: number }).port;

    const results: [string, Load][] = [];
    for (const [label, path] of targets) {
      log(`autocannon ${path} (${DURATION} s, ${CONNECTIONS} connections)…`);
      results.push([label, await load(new URL(path, url).href, headers)]);
    }
    // A search for a very common word holds the event loop for ~0.3 s: what does that do to everyone else?
    log(`autocannon ${targets[0]![1]} while one client searches "${COMMON_WORD}" non-stop…`);
    const [busy] = await Promise.all([load(new URL(targets[0]![1], url).href, headers), load(new URL(targets[4]![1], url).href, headers, 1)]);
    results.push([`thread page 1 while 1 client searches "${COMMON_WORD}"`, busy]);
    log(`autocannon static copy of the thread page (${fmt(body.length / 1000, 1)} kB)…`);
    results.push([`static copy of thread page 1 (${fmt(body.length / 1000, 1)} kB, node:http from memory)`, await load(`http://127.0.0.1:${ceilingPort}/`, {})]);
    const ms = (n: number) => (n < 1 ? '<1 ms' : `${fmt(n)} ms`);
    for (const [label, l] of results) rows.push([`HTTP ${label}: req/s, p50, p99`, `${fmt(l.rps, 0)} req/s, ${ms(l.p50)}, ${ms(l.p99)}`]);
  }

  const width = Math.max(...rows.map(([k]) => k.length), 'Measure'.length);
  const valueWidth = Math.max(...rows.map(([, v]) => v.length), 'Value'.length);
  const line = (a: string, b: string) => `| ${a.padEnd(width)} | ${b.padEnd(valueWidth)} |`;
  const load1 = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores, Node ${process.versions.node}, load average ${load1}, autocannon ${DURATION} s × ${CONNECTIONS} connections\n`);
  console.log([line('Measure', 'Value'), `| ${'-'.repeat(width)} | ${'-'.repeat(valueWidth)} |`, ...rows.map(([a, b]) => line(a, b))].join('\n'));
} finally {
  for (const server of servers) server.closeAllConnections?.(), server.close();
  db?.$client.close();
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  else log(`Kept ${dir}`);
}
