/**
 * Forum benchmark: a temporary libSQL file seeded with 20,000 threads and 400,000 posts,
 * then (1) how long seeding and indexing take, (2) forum search in process, and (3) the
 * built server under autocannon, in a process of its own as `npm start` runs it: a
 * thread's first and a deep page, a category page and forum searches, each beside a
 * minimal handler doing the same reads with @libsql/client and template strings (its
 * searches checked to list the same threads as the portal's), and the
 * thread page beside its own bytes served from memory: real page : minimal : static, and
 * beside an older build (BENCH_BASELINE) when given. It reports
 * figures and asserts nothing about time; a step that does not work (a page that is not
 * 200, a search that finds nothing) stops it with a non-zero exit. See bench/README.md.
 *
 *   npm run bench:forum
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Result as AutocannonResult } from 'autocannon';
import { eq, sql } from 'drizzle-orm';
import { categories, organisations, posts, threads, users, type OrganisationType } from '#db/schema.ts';
import { useProductionLibraries } from '#lib/config.ts';
import { migrateDatabase, openDatabase, write, type Database } from '#lib/db.ts';
import { createSession, SESSION_COOKIE } from '#lib/auth/sessions.ts';
import { forumActor } from '#lib/forum/access.ts';
import { CANDIDATE_LIMIT, searchForum } from '#lib/forum/search.ts';
import type { CpuProfile } from './cpu-profile.ts';
import { capital, prng, word } from './synthetic-text.ts';
import { percentile, printReport } from './report.ts';

const THREADS = Number(process.env.BENCH_THREADS ?? 20_000);
const POSTS = Number(process.env.BENCH_POSTS ?? 400_000);
/** The thread whose pages are measured: long enough for a deep page. */
const LONG_THREAD_POSTS = Math.min(1_000, Math.floor(POSTS / 4));
/** `bulk` (default): load without the FTS triggers, then fill the index in one statement; `triggers`: index row by row as the app does. */
const FTS_MODE = process.env.BENCH_FTS === 'triggers' ? 'triggers' : 'bulk';
/** Seconds per autocannon run, and its connections. */
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
/** Times each server is measured for each page, in alternating order. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
/** Which pages to measure: thread (page 1), deep (the last page), category, search, busy (a page beside a heavy search). */
const PAGES = new Set((process.env.BENCH_PAGES ?? 'thread,deep,category,search,busy').split(',').map((p) => p.trim()));
/** A build of another commit (`dist` folder inside the project) to measure beside this one, run as `npm start` ran it before decision 032. */
const BASELINE = process.env.BENCH_BASELINE || undefined;
/** Where to write CPU profiles of the portal servers (V8's profiler, from the first measured request on), summarised at the end. */
const PROFILE_DIR = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;
/** A database kept by an earlier run (BENCH_KEEP=1): used as it is, nothing seeded. */
const REUSE_DATABASE = process.env.BENCH_DATABASE ? resolve(process.env.BENCH_DATABASE) : undefined;
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

/** What seed() returns, read back from a database an earlier run kept (BENCH_DATABASE). */
async function seededAlready(db: Database): Promise<Omit<Seeded, 'timings'>> {
  // The measured member: seed() picks the first member of the third organisation (a charity).
  const member = await db.select({ id: users.id }).from(users).where(eq(users.email, 'bench-2@example.org')).get();
  const long = await db.select({ id: threads.id, slug: threads.slug }).from(threads).orderBy(threads.id).limit(1).get();
  const cat = await db.select({ slug: categories.slug }).from(categories).orderBy(categories.id).limit(1).get();
  assert.ok(member && long && cat, 'BENCH_DATABASE holds a forum seeded by this benchmark');
  const rare = await db.$client.execute(`SELECT count(*) AS n FROM posts WHERE raw LIKE '%${capital(RARE_WORD)} came up again%'`);
  return { memberId: member.id, longThread: long, categorySlug: cat.slug, rareCount: Number(rare.rows[0]!.n) };
}

// ─── Measuring ───────────────────────────────────────────────────────────────

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
  /** The server process's CPU time per request, in ms (Linux: /proc), or NaN. */
  cpuMs: number;
}

/**
 * A process's CPU time so far (user + system), in ms, from /proc/<pid>/stat (clock ticks
 * of 10 ms); NaN where there is no /proc. Steadier than requests/s on a shared machine:
 * other work slows a server down, but hardly changes the CPU time each request takes.
 */
function cpuTimeMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * One autocannon run, in a process of its own: in this process it would take the server's
 * event loop (the server runs here, through serve()); apart, each gets a core of the two.
 */
async function load(url: string, headers: Record<string, string>, connections = CONNECTIONS, serverPid?: number): Promise<Load> {
  const cpuBefore = cpuTimeMs(serverPid);
  const args = [join(root, 'node_modules/autocannon/autocannon.js'), '-j', '-c', String(connections), '-d', String(DURATION)];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  const { stdout } = await execFileAsync(process.execPath, [...args, url], { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as AutocannonResult;
  const bad = result.non2xx + result.errors + result.timeouts;
  assert.equal(bad, 0, `${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, cpuMs: (cpuTimeMs(serverPid) - cpuBefore) / result.requests.total };
}

/** What a search page says it found: the total from its status line, and the results' links in order. */
function searchResults(html: string): { total: number; links: string[] } {
  const total = /(?:At least )?([\d,]+) threads? match/.exec(html)?.[1]?.replaceAll(',', '');
  const links = [...html.matchAll(/class="forum-results__title"[^>]*><a href="([^"]+)"/g)].map((m) => m[1]!);
  return { total: Number(total ?? 0), links };
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

// ─── Servers, each in a process of its own ───────────────────────────────────

interface Child {
  url: URL;
  pid: number | undefined;
  startProfile: () => void;
  stop: () => Promise<void>;
}

/**
 * Starts one of bench/forum-servers.ts's servers in a child process (so that it has an
 * event loop of its own, as under `npm start`) and waits for its address. With
 * `profileAs`, `startProfile()` starts V8's CPU profiler in it, and stopping it writes
 * the profile to PROFILE_DIR/<profileAs>.cpuprofile.
 */
async function startServer(args: string[], env: Record<string, string | undefined>, profileAs?: string, from = root): Promise<Child> {
  const PROFILE_OUT = profileAs && PROFILE_DIR ? join(PROFILE_DIR, `${profileAs}.cpuprofile`) : undefined;
  const child = spawn(process.execPath, [join(from, 'bench/forum-servers.ts'), ...args], { cwd: from, env: { ...env, PROFILE_OUT }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) resolve(new URL((JSON.parse(line) as { url: string }).url));
    });
    child.once('exit', (code) => reject(new Error(`bench/forum-servers.ts ${args.join(' ')} exited (${code}) before listening`)));
  });
  return {
    url,
    pid: child.pid,
    startProfile: () => child.kill('SIGUSR2'),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// ─── Run ─────────────────────────────────────────────────────────────────────

const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`;
const rows: [string, string][] = [];

const dir = mkdtempSync(join(tmpdir(), 'nmsn-bench-forum-'));
const file = REUSE_DATABASE ?? join(dir, 'portal.db');
process.env.DATABASE_URL = `file:${file}`;
process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');
let db: Database | undefined;
const children: Child[] = [];
try {
  db = await openDatabase({ DATABASE_URL: process.env.DATABASE_URL! });
  await migrateDatabase(db);

  let seeded: Omit<Seeded, 'timings'>;
  if (REUSE_DATABASE) {
    log(`Using the forum already in ${REUSE_DATABASE} (BENCH_DATABASE): no seeding.`);
    seeded = await seededAlready(db);
  } else {
    log(`Seeding ${fmt(THREADS)} threads and ${fmt(POSTS)} posts (FTS: ${FTS_MODE})…`);
    const seedStart = performance.now();
    const fresh = await seed(db);
    const seedMs = performance.now() - seedStart;
    seeded = fresh;
    const bytes = ['', '-wal'].map((s) => (existsSync(file + s) ? statSync(file + s).size : 0)).reduce((a, b) => a + b, 0);
    rows.push([`Seed ${fmt(THREADS)} threads, ${fmt(POSTS)} posts, FTS ${FTS_MODE === 'bulk' ? 'filled after the load' : 'by triggers'}`, seconds(seedMs)]);
    for (const [label, ms] of fresh.timings) rows.push([`… ${label}`, seconds(ms)]);
    rows.push(['Database file after the checkpoint', `${fmt(bytes / 1e6, 0)} MB`]);
  }

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

  // HTTP: the built server against this database, beside the minimal handler and static bytes.
  if (!existsSync(join(root, 'src/pages/forum/t'))) {
    log('The thread page (src/pages/forum/t) does not exist yet: skipping the HTTP measurements.');
  } else if (process.env.BENCH_SKIP_HTTP) {
    log('BENCH_SKIP_HTTP is set: skipping the HTTP measurements.');
  } else {
    await buildIfStale();
    const { token } = await createSession(db, seeded.memberId, { mfaVerified: true, ip: '127.0.0.1', userAgent: 'bench' });
    // No X-Forwarded-For: the client address is the socket's.
    const headers = { cookie: `${SESSION_COOKIE}=${token}` };
    // The servers log warnings only: a line per request would measure the log, and fill this table's stdout.
    const base = { ...process.env, LOG_LEVEL: 'warn' };
    // The portal as `npm start` runs it now: the libraries' production builds, the portal in its demo mode.
    const portalEnv: Record<string, string | undefined> = { ...base };
    useProductionLibraries(portalEnv);
    // An older build (BENCH_BASELINE), as `npm start` runs it, served by its own checkout's
    // server script and so its own src/lib, which opens the database, when it has one.
    const baselineRoot = BASELINE && existsSync(resolve(BASELINE, '../bench/forum-servers.ts')) ? resolve(BASELINE, '..') : root;

    const portals: [string, Child][] = [['portal', await startServer(['portal', join(root, 'dist')], portalEnv, PROFILE_DIR ? 'portal' : undefined)]];
    if (BASELINE) portals.push(['baseline', await startServer(['portal', resolve(BASELINE)], portalEnv, PROFILE_DIR ? 'baseline' : undefined, baselineRoot)]);
    children.push(...portals.map(([, c]) => c));
    const minimal = await startServer(['minimal'], base);
    children.push(minimal);

    const deepPage = Math.ceil(LONG_THREAD_POSTS / 20);
    const { id: threadId, slug } = seeded.longThread;
    interface Kind {
      key: string;
      label: string;
      portal: string;
      minimal?: string;
    }
    const kinds: Kind[] = [
      { key: 'thread', label: 'thread page 1 (20 posts)', portal: `/forum/t/${threadId}/${slug}`, minimal: `/thread?id=${threadId}` },
      { key: 'deep', label: `thread page ${deepPage} of ${deepPage}`, portal: `/forum/t/${threadId}/${slug}?page=${deepPage}`, minimal: `/thread?id=${threadId}&page=${deepPage}` },
      { key: 'category', label: 'category page 1 (25 threads)', portal: `/forum/${seeded.categorySlug}`, minimal: `/category?slug=${seeded.categorySlug}` },
      { key: 'search', label: `forum search "${RARE_WORD}"`, portal: `/forum/search?q=${RARE_WORD}`, minimal: `/search?q=${RARE_WORD}` },
      { key: 'search', label: `forum search "${COMMON_WORD}"`, portal: `/forum/search?q=${COMMON_WORD}`, minimal: `/search?q=${COMMON_WORD}` },
    ].filter((k) => PAGES.has(k.key));
    // Each page once first: it must answer 200, and the member's read position moves to
    // the end of each thread page now, so that no measured request writes. A search must
    // list the same threads, in the same order, from the same total, in the minimal
    // handler as in the portal, or the yardstick would measure other work.
    for (const kind of kinds) {
      const pages = new Map<string, string>();
      for (const [name, server] of portals) {
        const response = await fetch(new URL(kind.portal, server.url), { headers, redirect: 'manual' });
        assert.equal(response.status, 200, `${name} ${kind.portal} answers 200 (got ${response.status})`);
        pages.set(name, await response.text());
      }
      if (!kind.minimal) continue;
      const response = await fetch(new URL(kind.minimal, minimal.url), { headers });
      assert.equal(response.status, 200, `minimal ${kind.minimal} answers 200`);
      if (kind.key !== 'search') continue;
      const portalResults = searchResults(pages.get('portal')!);
      assert.ok(portalResults.total > 0 && portalResults.links.length > 0, `${kind.portal} finds something`);
      assert.deepEqual(searchResults(await response.text()), portalResults, `the minimal handler's ${kind.minimal} lists what the portal's ${kind.portal} lists`);
    }
    // Static bytes: the thread page as the portal sent it, from memory.
    const page = Buffer.from(await (await fetch(new URL(`/forum/t/${threadId}/${slug}`, portals[0]![1].url), { headers })).arrayBuffer());
    const minimalPage = Buffer.from(await (await fetch(new URL(`/thread?id=${threadId}`, minimal.url), { headers })).arrayBuffer());
    writeFileSync(join(dir, 'thread-page.html'), page);
    const fixed = await startServer(['static', join(dir, 'thread-page.html')], base);
    children.push(fixed);

    // The profiles (BENCH_PROFILE) start now, after start-up and the first requests.
    if (PROFILE_DIR) {
      mkdirSync(PROFILE_DIR, { recursive: true });
      for (const [, server] of portals) server.startProfile();
    }
    // Rounds: every server in turn for each page, the order reversed each round, so that
    // what the machine does meanwhile falls on all of them alike.
    const results = new Map<string, Load[]>();
    const record = (key: string, l: Load) => results.set(key, [...(results.get(key) ?? []), l]);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const kind of kinds) {
        const runs: [string, () => Promise<Load>][] = portals.map(([name, server]) => [name, () => load(new URL(kind.portal, server.url).href, headers, CONNECTIONS, server.pid)]);
        if (kind.minimal) runs.push(['minimal', () => load(new URL(kind.minimal!, minimal.url).href, headers, CONNECTIONS, minimal.pid)]);
        if (kind.key === 'thread' && kind.label.startsWith('thread page 1')) runs.push(['static', () => load(fixed.url.href, {}, CONNECTIONS, fixed.pid)]);
        if (round % 2 === 1) runs.reverse();
        for (const [name, run] of runs) {
          log(`round ${round + 1}/${ROUNDS}: ${name} ${kind.label} (${DURATION} s, ${CONNECTIONS} connections)…`);
          record(`${kind.label}\t${name}`, await run());
        }
      }
    }
    // A search for a very common word holds the event loop: what does that do to everyone else?
    const busy: [string, Load][] = [];
    if (PAGES.has('busy')) {
      for (const [name, server] of portals) {
        log(`${name}: thread page 1 while one client searches "${COMMON_WORD}" non-stop…`);
        const [l] = await Promise.all([load(new URL(kinds[0]?.portal ?? `/forum/t/${threadId}/${slug}`, server.url).href, headers), load(new URL(`/forum/search?q=${COMMON_WORD}`, server.url).href, headers, 1)]);
        busy.push([name, l]);
      }
    }

    const ms = (n: number) => (n < 1 ? '<1 ms' : `${fmt(n)} ms`);
    const mean = (ls: Load[]): Load => ({
      rps: ls.reduce((a, l) => a + l.rps, 0) / ls.length,
      p50: ls.reduce((a, l) => a + l.p50, 0) / ls.length,
      p99: ls.reduce((a, l) => a + l.p99, 0) / ls.length,
      requests: ls.reduce((a, l) => a + l.requests, 0),
      cpuMs: ls.reduce((a, l) => a + l.cpuMs * l.requests, 0) / ls.reduce((a, l) => a + l.requests, 0),
    });
    const names: Record<string, string> = { portal: 'portal', baseline: `baseline (${BASELINE})`, minimal: 'minimal handler (@libsql/client, template strings)', static: `static bytes (${fmt(page.length / 1000, 1)} kB, node:http from memory)` };
    for (const kind of kinds) {
      const of = (name: string) => (results.has(`${kind.label}\t${name}`) ? mean(results.get(`${kind.label}\t${name}`)!) : undefined);
      for (const name of ['portal', 'baseline', 'minimal', 'static']) {
        const l = of(name);
        if (l) rows.push([`HTTP ${kind.label}, ${names[name]}: req/s, p50, p99; server CPU per request`, `${fmt(l.rps, 0)} req/s, ${ms(l.p50)}, ${ms(l.p99)}; ${fmt(l.cpuMs, 2)} ms`]);
      }
      const floor = of('minimal');
      const pct = (a: Load | undefined, b: Load | undefined) => (a && b ? `${fmt((100 * a.rps) / b.rps, 1)} %` : undefined);
      // Requests/s and CPU time per request, each as a share of the minimal handler's.
      const cpuPct = (a: Load | undefined, b: Load | undefined) => (a && b && a.cpuMs > 0 ? `${fmt((100 * b.cpuMs) / a.cpuMs, 1)} %` : 'n/a');
      for (const name of ['portal', 'baseline']) {
        const share = pct(of(name), floor);
        if (share) rows.push([`… ${kind.label}: ${name} ÷ minimal handler (req/s; by CPU per request)`, `${share}; ${cpuPct(of(name), floor)}`]);
      }
      const fixedShare = pct(of('portal'), of('static'));
      if (fixedShare) rows.push([`… ${kind.label}: portal ÷ static bytes`, fixedShare]);
      const minimalShare = pct(floor, of('static'));
      if (minimalShare && kind.key === 'thread') rows.push([`… ${kind.label}: minimal handler ÷ static bytes (its page: ${fmt(minimalPage.length / 1000, 1)} kB)`, minimalShare]);
      const gain = of('baseline') && of('portal') ? `${fmt(of('portal')!.rps / of('baseline')!.rps, 2)}×; ${fmt(of('baseline')!.cpuMs / of('portal')!.cpuMs, 2)}×` : undefined;
      if (gain) rows.push([`… ${kind.label}: portal ÷ baseline (req/s; by CPU per request)`, gain]);
    }
    for (const [name, l] of busy) rows.push([`HTTP thread page 1 while 1 client searches "${COMMON_WORD}", ${names[name]}: req/s, p50, p99`, `${fmt(l.rps, 0)} req/s, ${ms(l.p50)}, ${ms(l.p99)}`]);
  }

  printReport(`autocannon ${DURATION} s × ${CONNECTIONS} connections, ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}`, ['Measure', 'Value'], rows);
} finally {
  for (const child of children) await child.stop();
  db?.$client.close();
  if (PROFILE_DIR) {
    const { formatSummary, summarise } = await import('./cpu-profile.ts');
    for (const name of ['portal', 'baseline']) {
      const profile = join(PROFILE_DIR, `${name}.cpuprofile`);
      if (existsSync(profile)) log(`\nCPU profile of the ${name} server: ${profile}\n${formatSummary(summarise(JSON.parse(readFileSync(profile, 'utf8')) as CpuProfile), 20)}`);
    }
  }
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  else log(`Kept ${REUSE_DATABASE ?? dir}`);
}
