/**
 * Build benchmark: generates 1,000 synthetic guides, builds the portal over them and
 * reports build time, pages, the Pagefind index size, what a browser fetches for a
 * search, and what each kind of page transfers, compressed as served and not. It reports
 * figures only and asserts nothing about time. See bench/README.md.
 *
 *   npm run bench:build     (BENCH_KEEP=1 keeps the temporary folder, BENCH_VERBOSE=1
 *                            shows the build log, BENCH_GUIDES=n builds n guides)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type BrowserContextOptions, type Request } from '@playwright/test';
import { assertChromium, chromiumArgs, chromiumPath } from '#tests/e2e/chromium.ts';
import { serve } from '#server/serve.ts';
import { migrateDatabase, openDatabase } from '#lib/db.ts';
import { createSession, SESSION_COOKIE } from '#lib/auth/sessions.ts';
import { seedDemoData } from '#demo/seed.ts';
import { COMMON_WORD, RARE_WORD, guide } from './synthetic-guides.ts';

// The server's JSON line per request would drown the report; warnings and errors only.
process.env.LOG_LEVEL ??= 'warn';

/** BENCH_GUIDES overrides it for a quick trial; the figures in the README are for 1,000. */
const GUIDES = Number(process.env.BENCH_GUIDES ?? 1000);

const root = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------------------
// Build and measure

function filesUnder(dir: string): { path: string; bytes: number }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [{ path, bytes: statSync(path).size }];
  });
}

function build(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.BENCH_VERBOSE === '1') process.stderr.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, seconds: (performance.now() - started) / 1000 }));
  });
}

type PagefindPart = 'code' | 'meta' | 'index' | 'fragments';
function pagefindPart(pathname: string): PagefindPart {
  if (pathname.endsWith('.pf_index')) return 'index';
  if (pathname.endsWith('.pf_fragment')) return 'fragments';
  if (/\.(js|pagefind)$/.test(pathname)) return 'code';
  return 'meta'; // pagefind-entry.json, .pf_meta, .pf_filter
}

interface QueryFigures {
  query: string;
  results: number;
  status: string;
  pagefindBytes: number;
  pagefindRequests: number;
  /** Pagefind bytes by kind of file: code (JS, worker, WebAssembly), metadata and filters, index chunks, fragments. */
  pagefindParts: Record<PagefindPart, number>;
  pageBytes: number;
  pageRequests: number;
  failed: string[];
}

/**
 * Bytes over the wire, per request: response headers + encoded body, i.e. CDP's
 * Network.loadingFinished encodedDataLength as Playwright reports it for the page *and*
 * the Pagefind web worker (a CDP session on the page alone never sees the worker's
 * requests). Chromium reports 0 body bytes for a worker's own script; its
 * Content-Length (the encoded body size) stands in then.
 */
async function wireBytes(request: Request): Promise<number> {
  const sizes = await request.sizes();
  let body = sizes.responseBodySize;
  if (body === 0) {
    const response = await request.response();
    const length = Number((await response?.allHeaders())?.['content-length'] ?? 0);
    if (length > 0) body = length;
  }
  return sizes.responseHeadersSize + body;
}

async function measureQuery(browser: import('@playwright/test').Browser, base: URL, query: string): Promise<QueryFigures> {
  // A fresh context per query: a first visit, nothing cached.
  const context = await browser.newContext();
  const page = await context.newPage();
  const counted: Promise<{ url: string; bytes: number }>[] = [];
  const failed: string[] = [];
  page.on('requestfinished', (request) => counted.push(wireBytes(request).then((bytes) => ({ url: request.url(), bytes }))));
  page.on('requestfailed', (request) => failed.push(`${request.url()} (${request.failure()?.errorText})`));
  try {
    await page.goto(new URL(`search?q=${encodeURIComponent(query)}`, base).href);
    const status = page.getByRole('status');
    await status.filter({ hasText: 'result' }).waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500); // straggling fragment loads
    const text = (await status.textContent()) ?? '';
    const all = await Promise.all(counted);
    const pagefind = all.filter(({ url }) => new URL(url).pathname.startsWith('/pagefind/'));
    const sum = (items: { bytes: number }[]) => items.reduce((n, { bytes }) => n + bytes, 0);
    return {
      query,
      results: Number(/(\d[\d,]*)\s+results?/.exec(text)?.[1]?.replace(/,/g, '') ?? NaN),
      status: text,
      pagefindBytes: sum(pagefind),
      pagefindRequests: pagefind.length,
      pagefindParts: pagefind.reduce(
        (parts, { url, bytes }) => {
          parts[pagefindPart(new URL(url).pathname)] += bytes;
          return parts;
        },
        { code: 0, meta: 0, index: 0, fragments: 0 } as Record<PagefindPart, number>,
      ),
      pageBytes: sum(all),
      pageRequests: all.length,
      failed,
    };
  } finally {
    await context.close();
  }
}

/**
 * What a first visit to `path` transfers (nothing cached): every request's headers and
 * body as sent, and the same with each body as the browser decoded it, i.e. what the
 * visit would have moved if the server compressed nothing.
 */
async function measurePage(browser: Browser, base: URL, path: string, options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const counted: Promise<{ wire: number; plain: number }>[] = [];
  page.on('requestfinished', (request) =>
    counted.push(
      (async () => {
        const [wire, sizes, body] = await Promise.all([wireBytes(request), request.sizes(), request.response().then((r) => r?.body().catch(() => null))]);
        return { wire, plain: body ? sizes.responseHeadersSize + body.length : wire };
      })(),
    ),
  );
  try {
    const response = await page.goto(new URL(path, base).href);
    if (response?.status() !== 200) throw new Error(`${path} answered ${response?.status()}`);
    await page.waitForLoadState('networkidle');
    const all = await Promise.all(counted);
    return { path, requests: all.length, wire: all.reduce((n, r) => n + r.wire, 0), plain: all.reduce((n, r) => n + r.plain, 0) };
  } finally {
    await context.close();
  }
}

/** A demo member's session cookie, for the signed-in pages. */
async function signedInState(db: Awaited<ReturnType<typeof openDatabase>>, base: URL): Promise<BrowserContextOptions> {
  const member = await db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, 'member@demo.nmsn.test') });
  if (!member) throw new Error('The demo member was not seeded');
  const { token } = await createSession(db, member.id, { mfaVerified: true });
  const cookie = { name: SESSION_COOKIE, value: token, domain: base.hostname, path: '/', httpOnly: true, secure: true, sameSite: 'Lax' as const, expires: -1 };
  return { storageState: { cookies: [cookie], origins: [] } };
}

// ---------------------------------------------------------------------------------------
// Report

const group = (n: number) => n.toLocaleString('en-GB');
const kB = (bytes: number) => `${(bytes / 1000).toLocaleString('en-GB', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} kB`;
const MB = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

function table(rows: [string, string][]): string {
  const w0 = Math.max('Measure'.length, ...rows.map(([a]) => a.length));
  const w1 = Math.max('Value'.length, ...rows.map(([, b]) => b.length));
  const line = (a: string, b: string) => `| ${a.padEnd(w0)} | ${b.padEnd(w1)} |`;
  return [line('Measure', 'Value'), `| ${'-'.repeat(w0)} | ${'-'.repeat(w1)} |`, ...rows.map(([a, b]) => line(a, b))].join('\n');
}

// ---------------------------------------------------------------------------------------

assertChromium();
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
// Inside the project: the built server resolves its packages from node_modules above it.
const work = mkdtempSync(join(root, 'node_modules/.cache/bench-build-'));
const content = join(work, 'content');
const dist = join(work, 'dist');
let exitCode = 0;

try {
  for (const folder of ['guides', 'awareness', 'news']) mkdirSync(join(content, folder), { recursive: true });
  const guides = Array.from({ length: GUIDES }, (_, i) => guide(i));
  for (const g of guides) writeFileSync(join(content, 'guides', g.file), g.text);
  const totalWords = guides.reduce((n, g) => n + g.words, 0);
  console.error(
    `Generated ${GUIDES} guides (${group(totalWords)} words; "${RARE_WORD}" in ${guides.filter((g) => g.rare).length}, ` +
      `"${COMMON_WORD}" in ${guides.filter((g) => g.common).length}) in ${work}`,
  );

  console.error('Building (BENCH_VERBOSE=1 shows the build log)…');
  const built = await build({ ...process.env, CONTENT_DIR: content, BUILD_OUT_DIR: dist, BUILD_CACHE_DIR: join(work, 'cache') });
  if (built.code !== 0) {
    console.error(built.output);
    throw new Error(`astro build exited with ${built.code} after ${built.seconds.toFixed(1)} s; its output is above.`);
  }
  console.error(`Built in ${built.seconds.toFixed(1)} s.`);

  const client = join(dist, 'client');
  const pages = filesUnder(client).filter(({ path }) => path.endsWith('.html')).length;
  const index = filesUnder(join(client, 'pagefind'));
  const indexBytes = index.reduce((n, f) => n + f.bytes, 0);

  // The demo forum, in a database of this run's own, for the signed-in pages.
  process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');
  const db = await openDatabase({ DATABASE_URL: `file:${join(mkdtempSync(join(tmpdir(), 'bench-build-db-')), 'portal.db')}` });
  await migrateDatabase(db);
  await seedDemoData(db);
  const { server, url } = await serve({ distDir: dist, db, host: '127.0.0.1', port: 0, publicOrigin: new URL('http://localhost:4321') });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const queries: QueryFigures[] = [];
  const pageKinds: (Awaited<ReturnType<typeof measurePage>> & { kind: string })[] = [];
  try {
    for (const q of [RARE_WORD, COMMON_WORD]) queries.push(await measureQuery(browser, url, q));
    const member = await signedInState(db, url);
    for (const [kind, path, options] of [
      ['Home page', '/', {}],
      ['A guide', `/guides/${guides[0]!.file.replace(/\.mdx$/, '')}`, {}],
      ['Guides list', '/guides', {}],
      ['Sign-in page', '/login', {}],
      ['Search page (no query)', '/search', {}],
      ['Forum thread, signed in', '/forum/t/1/welcome-to-multi-agency-working-read-this-first-demo', member],
    ] as const) {
      pageKinds.push({ kind, ...(await measurePage(browser, url, path, options)) });
    }
  } finally {
    await browser.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    db.$client.close();
  }

  const rows: [string, string][] = [
    ['Guides generated', `${group(GUIDES)} (${group(totalWords)} words)`],
    ['Build time', `${built.seconds.toFixed(1)} s`],
    ['Pages (.html in dist/client)', group(pages)],
    ['Pagefind index', `${MB(indexBytes)} in ${group(index.length)} files`],
  ];
  for (const q of queries) {
    rows.push(
      [`"${q.query}": results`, Number.isNaN(q.results) ? q.status : group(q.results)],
      [`"${q.query}": Pagefind bytes fetched`, `${kB(q.pagefindBytes)} in ${q.pagefindRequests} requests`],
      [
        `"${q.query}": … of which`,
        `code ${kB(q.pagefindParts.code)}, meta+filters ${kB(q.pagefindParts.meta)}, ` +
          `index ${kB(q.pagefindParts.index)}, fragments ${kB(q.pagefindParts.fragments)}`,
      ],
      [`"${q.query}": whole page bytes fetched`, `${kB(q.pageBytes)} in ${q.pageRequests} requests`],
    );
  }
  for (const p of pageKinds) {
    rows.push([`${p.kind}: bytes transferred`, `${kB(p.wire)} (${kB(p.plain)} uncompressed, ${Math.round((100 * p.wire) / p.plain)} %) in ${p.requests} requests`]);
  }
  console.log(table(rows));
  for (const q of queries) if (q.failed.length) console.error(`Warning: requests that failed for "${q.query}":\n  ${q.failed.join('\n  ')}`);
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  exitCode = 1;
} finally {
  if (process.env.BENCH_KEEP === '1') console.error(`Kept ${work} (BENCH_KEEP=1).`);
  else rmSync(work, { recursive: true, force: true });
}
process.exitCode = exitCode;
