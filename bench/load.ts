/**
 * Load benchmark: many signed-in members at once against the built portal, as `npm
 * start` runs it, with one server process and then with WEB_CONCURRENCY=2, in one run on
 * one database. Each member reads thread pages (80 %: random threads, first or second
 * page), searches the forum (10 %) and replies through the real form (10 %), each reply
 * written by a member the portal's posting limit lets post (see Posters). It reports
 * requests per second, p50/p95/p99 per kind, errors (timeouts included) and how much the
 * database grew. It asserts nothing about time. See bench/README.md.
 *
 *   npm run bench:load     (BENCH_MEMBERS=200, BENCH_SECONDS=60, BENCH_THREADS=400)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { categories, organisations, posts, threads, users } from '#db/schema.ts';
import { hashPassword } from '#lib/auth/passwords.ts';
import { createSession, SESSION_COOKIE } from '#lib/auth/sessions.ts';
import { newTotpKey, saveTotpKey } from '#lib/auth/totp.ts';
import { migrateDatabase, openDatabase, write, type Database } from '#lib/db.ts';
import { POSTING_LIMIT, POSTS_PER_PAGE, slugify } from '#lib/forum/limits.ts';
import { renderMarkdown } from '#lib/forum/markdown.ts';
import { threadPath } from '#lib/forum/urls.ts';
import { seedDemoData } from '#demo/seed.ts';
import { prng, word } from './synthetic-text.ts';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const THREADS = Number(process.env.BENCH_THREADS ?? 400);
const POSTS_PER_THREAD = 30;
/** A request not answered in this time counts as a timeout (an error). */
const TIMEOUT_MS = 10_000;
const KINDS = ['thread', 'search', 'reply'] as const;
type Kind = (typeof KINDS)[number];

const root = fileURLToPath(new URL('..', import.meta.url));
const random = prng(7);

// ---------------------------------------------------------------------------------------
// The database: the demo data, THREADS threads of POSTS_PER_THREAD posts, MEMBERS members

async function seed(db: Database) {
  await seedDemoData(db);
  const category = (await db.select().from(categories).where(eq(categories.slug, 'multi-agency-working')).get())!;
  const org = (await db.select().from(organisations).where(eq(organisations.type, 'police-force')).get())!;
  // One argon2id hash for every member: hashing 200 would take longer than the run.
  const passwordHash = await hashPassword('load benchmark password');
  const members = await write(db, (tx) =>
    tx
      .insert(users)
      .values(Array.from({ length: MEMBERS }, (_, i) => ({ email: `load-${i}@bench.nmsn.test`, displayName: `Load member ${i}`, role: 'member' as const, organisationId: org.id, passwordHash })))
      .returning({ id: users.id }),
  );
  const tokens: string[] = [];
  for (const { id } of members) {
    await saveTotpKey(db, id, newTotpKey(), 0);
    tokens.push((await createSession(db, id, { mfaVerified: true })).token);
  }
  // Threads and posts written directly, as the demo forum is (the app's own posting path
  // keeps each member to six posts a minute).
  const text = (n: number) => Array.from({ length: n }, () => word(random)).join(' ');
  const paths: { id: number; path: string; pages: number }[] = [];
  const since = Date.now() - THREADS * POSTS_PER_THREAD * 60_000;
  await write(db, async (tx) => {
    for (let t = 0; t < THREADS; t++) {
      const title = `Load thread ${t}: ${text(5)}`;
      const times = Array.from({ length: POSTS_PER_THREAD }, (_, p) => new Date(since + (t * POSTS_PER_THREAD + p) * 60_000));
      const [thread] = await tx
        .insert(threads)
        .values({ categoryId: category.id, title, slug: slugify(title), authorId: members[t % MEMBERS]!.id, createdAt: times[0]!, bumpedAt: times.at(-1)!, replyCount: POSTS_PER_THREAD - 1, highestPostNumber: POSTS_PER_THREAD })
        .returning();
      for (let p = 0; p < POSTS_PER_THREAD; p++) {
        const raw = text(40 + Math.floor(random.next() * 80));
        await tx.insert(posts).values({ threadId: thread!.id, postNumber: p + 1, authorId: members[(t + p) % MEMBERS]!.id, raw, html: renderMarkdown(raw), createdAt: times[p]! });
      }
      paths.push({ id: thread!.id, path: threadPath(thread!), pages: Math.ceil(POSTS_PER_THREAD / POSTS_PER_PAGE) });
    }
  });
  return { tokens, paths };
}

// ---------------------------------------------------------------------------------------
// The portal, as npm start runs it

async function startPortal(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(root, 'src/cli/start.ts')], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', MAIL_WORKER: 'off', NIGHTLY_REBUILD: 'off', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /The portal is running at (\S+)/.exec(out);
      if (match) resolve(match[1]!.replace(/\/$/, ''));
    });
    child.once('exit', (code) => reject(new Error(`The portal exited (${code}) before serving:\n${out}`)));
  });
  return { child, url };
}

async function stopPortal(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// ---------------------------------------------------------------------------------------
// The load

interface Figures {
  ms: number[];
  errors: Map<string, number>;
}

/**
 * Who writes each reply. The portal refuses a member's post (429) when POSTING_LIMIT.max
 * of their attempts already fall within POSTING_LIMIT.windowMs, and a real member cannot
 * post faster, so a reply is written by the member who posted least recently among those
 * the limit lets post now. When none may, the reply is owed and written in place of a
 * later thread page, so the mix stays as near 80/10/10 as the limit allows and no
 * member stands idle. The server counts a post at a moment between its request being
 * sent and answered, on the same clock as this process: counting each reply from its
 * answer, and one not answered (still open, timed out or failed) as within the window
 * from then on, keeps every member within the limit.
 */
class Posters {
  /** Replies rolled when no member could post, not yet written. */
  owed = 0;
  /** Replies moved later that way. */
  deferred = 0;
  /** Members, least recent poster first. */
  readonly #order: number[];
  readonly #unanswered: number[];
  /** When each member's recent replies were answered (Date.now, the server's clock). */
  readonly #answered: number[][];

  constructor(members: number) {
    this.#order = Array.from({ length: members }, (_, i) => i);
    this.#unanswered = this.#order.map(() => 0);
    this.#answered = this.#order.map(() => []);
  }

  /** What a turn the dice made `rolled` becomes, and who writes it if it is a reply. */
  turn(rolled: Kind): { kind: Kind; poster?: number } {
    if (rolled === 'search' || (rolled === 'thread' && this.owed === 0)) return { kind: rolled };
    const poster = this.#take();
    if (poster !== undefined) {
      if (rolled === 'thread') this.owed -= 1;
      return { kind: 'reply', poster };
    }
    if (rolled === 'reply') (this.owed += 1), (this.deferred += 1);
    return { kind: 'thread' };
  }

  /** A reply was answered (any status): it counts from now. Unanswered, it counts on. */
  answered(member: number): void {
    this.#unanswered[member]! -= 1;
    this.#answered[member]!.push(Date.now());
    if (this.#answered[member]!.length > POSTING_LIMIT.max) this.#answered[member]!.shift();
  }

  #take(): number | undefined {
    const now = Date.now();
    const at = this.#order.findIndex((m) => this.#unanswered[m]! + this.#answered[m]!.filter((t) => t > now - POSTING_LIMIT.windowMs).length < POSTING_LIMIT.max);
    if (at < 0) return undefined;
    const [member] = this.#order.splice(at, 1);
    this.#order.push(member!);
    this.#unanswered[member!]! += 1;
    return member;
  }
}

/** What one request came to: an error to count (null for none), and whether the server answered. */
interface Outcome {
  error: string | null;
  answered: boolean;
}

async function request(base: string, token: string, kind: Kind, paths: { id: number; path: string; pages: number }[]): Promise<Outcome> {
  const thread = paths[Math.floor(random.next() * paths.length)]!;
  const headers = { cookie: `${SESSION_COOKIE}=${token}`, origin: base };
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  try {
    if (kind === 'thread') {
      const page = 1 + Math.floor(random.next() * thread.pages);
      const response = await fetch(`${base}${thread.path}${page > 1 ? `?page=${page}` : ''}`, { headers, signal });
      await response.arrayBuffer();
      return { error: response.status === 200 ? null : `thread ${response.status}`, answered: true };
    }
    if (kind === 'search') {
      const response = await fetch(`${base}/forum/search?q=${encodeURIComponent(`${word(random)} ${word(random)}`)}`, { headers, signal });
      await response.arrayBuffer();
      return { error: response.status === 200 ? null : `search ${response.status}`, answered: true };
    }
    const response = await fetch(`${base}${thread.path}?_action=forum.reply`, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ threadId: String(thread.id), body: `A reply from the load benchmark about ${word(random)} and ${word(random)}.` }),
      redirect: 'manual',
      signal,
    });
    await response.arrayBuffer();
    return { error: response.status === 303 ? null : `reply ${response.status}`, answered: true };
  } catch (error) {
    return { error: (error as Error).name === 'TimeoutError' ? `${kind} timeout` : `${kind} ${(error as Error).message}`, answered: false };
  }
}

async function load(base: string, tokens: string[], paths: { id: number; path: string; pages: number }[]) {
  const figures = Object.fromEntries(KINDS.map((k) => [k, { ms: [], errors: new Map() } as Figures])) as Record<Kind, Figures>;
  const posters = new Posters(tokens.length);
  const end = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    tokens.map(async (token) => {
      while (performance.now() < end) {
        const roll = random.next();
        const { kind, poster } = posters.turn(roll < 0.8 ? 'thread' : roll < 0.9 ? 'search' : 'reply');
        const t0 = performance.now();
        const { error, answered } = await request(base, poster === undefined ? token : tokens[poster]!, kind, paths);
        figures[kind].ms.push(performance.now() - t0);
        if (error) figures[kind].errors.set(error, (figures[kind].errors.get(error) ?? 0) + 1);
        if (poster !== undefined && answered) posters.answered(poster);
      }
    }),
  );
  return { figures, seconds: (performance.now() - started) / 1000, deferred: posters.deferred, owed: posters.owed };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const bytesOf = (file: string) => ['', '-wal'].reduce((n, suffix) => n + (statSync(file + suffix, { throwIfNoEntry: false })?.size ?? 0), 0);

// ---------------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'bench-load-'));
const file = join(work, 'portal.db');
// Publishes (none here) would build inside the project: a build loads packages from its node_modules.
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
const buildsDir = mkdtempSync(join(root, 'node_modules/.cache/bench-load-builds-'));
process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');
const env = { DATABASE_URL: `file:${file}`, TOTP_ENCRYPTION_KEY: process.env.TOTP_ENCRYPTION_KEY, BUILDS_DIR: buildsDir };
let exitCode = 0;
try {
  console.error(`Seeding ${THREADS} threads of ${POSTS_PER_THREAD} posts and ${MEMBERS} members…`);
  const db = await openDatabase({ DATABASE_URL: env.DATABASE_URL });
  await migrateDatabase(db);
  const { tokens, paths } = await seed(db);
  db.$client.close();

  const rows: string[] = [];
  for (const processes of [1, 2]) {
    if (processes > 1) {
      // The server counts the first run's posts against their members for a window: let it pass, so both runs start alike.
      console.error(`Waiting ${POSTING_LIMIT.windowMs / 1000} s for the posting limit's window to pass…`);
      await sleep(POSTING_LIMIT.windowMs);
    }
    const { child, url } = await startPortal({ ...env, WEB_CONCURRENCY: String(processes) });
    try {
      // A short warm-up, then the measured run.
      await Promise.all(paths.slice(0, 20).map((t) => fetch(`${url}${t.path}`, { headers: { cookie: `${SESSION_COOKIE}=${tokens[0]}` } }).then((r) => r.arrayBuffer())));
      const before = bytesOf(file);
      console.error(`${processes} process(es): ${MEMBERS} members for ${SECONDS} s (load average before: ${loadavg()[0]!.toFixed(1)})…`);
      const { figures, seconds, deferred, owed } = await load(url, tokens, paths);
      const grown = bytesOf(file) - before;
      for (const kind of KINDS) {
        const sorted = [...figures[kind].ms].sort((a, b) => a - b);
        const errors = [...figures[kind].errors].map(([e, n]) => `${e} ×${n}`).join(', ') || '0';
        rows.push(
          `| ${processes} | ${kind} | ${sorted.length} | ${(sorted.length / seconds).toFixed(1)} | ${percentile(sorted, 50).toFixed(0)} | ${percentile(sorted, 95).toFixed(0)} | ${percentile(sorted, 99).toFixed(0)} | ${errors} |`,
        );
      }
      rows.push(`| ${processes} | all | ${KINDS.reduce((n, k) => n + figures[k].ms.length, 0)} | ${(KINDS.reduce((n, k) => n + figures[k].ms.length, 0) / seconds).toFixed(1)} | | | | database grew ${(grown / 1e6).toFixed(1)} MB; replies the posting limit moved later ${deferred}, not written by the end ${owed} |`);
    } finally {
      await stopPortal(child);
    }
  }
  console.log(`${MEMBERS} signed-in members, ${SECONDS} s per run, ${THREADS} threads of ${POSTS_PER_THREAD} posts; load average after: ${loadavg()[0]!.toFixed(1)}\n`);
  console.log('| processes | kind | requests | req/s | p50 ms | p95 ms | p99 ms | errors |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(buildsDir, { recursive: true, force: true });
}
process.exitCode = exitCode;
