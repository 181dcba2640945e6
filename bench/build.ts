/**
 * Build benchmark: generates 1,000 synthetic guides, builds the portal over them and
 * reports build time, pages, the Pagefind index size and what a browser fetches for a
 * search. It reports figures only and asserts nothing about time. See bench/README.md.
 *
 *   npm run bench:build     (BENCH_KEEP=1 keeps the temporary folder, BENCH_VERBOSE=1
 *                            shows the build log, BENCH_GUIDES=n builds n guides)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { chromium, type Request } from '@playwright/test';
import { assertChromium, chromiumArgs, chromiumPath } from '#tests/e2e/chromium.ts';
import { serve } from '#server/serve.ts';
import { regionKeys, topicKeys } from '#lib/content/taxonomy.ts';
import { capital, prng, word, words, type Random } from './synthetic-text.ts';

/** BENCH_GUIDES overrides it for a quick trial; the figures in the README are for 1,000. */
const GUIDES = Number(process.env.BENCH_GUIDES ?? 1000);
/** In ~1% of guides: a query with a realistic handful of results. */
const RARE_WORD = 'kittiwake';
/** Drawn often from the vocabulary: a query with hundreds of results. */
const COMMON_WORD = 'referral';

const root = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------------------
// Synthetic content


if (words.includes(RARE_WORD) || !words.includes(COMMON_WORD)) throw new Error('Check RARE_WORD and COMMON_WORD against the vocabulary.');


function sentence(r: Random, extra?: string): string {
  const parts = Array.from({ length: r.int(8, 20) }, () => word(r));
  if (extra) parts.splice(r.int(1, parts.length - 1), 0, extra);
  if (parts.length > 12 && r.next() < 0.4) parts[r.int(4, parts.length - 4)] += ',';
  return `${capital(parts.join(' '))}.`;
}

const domainWords = words.slice(words.indexOf('victim'));
const owners = [
  'National Modern Slavery Network',
  'North East Anti-Slavery Partnership',
  'West Midlands Anti-Slavery Network',
  'London Modern Slavery Partnership Board',
  'Wales Anti-Slavery Leadership Group',
  'South West Anti-Slavery Partnership',
];

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY = 86_400_000;

interface Guide {
  file: string;
  text: string;
  words: number;
  rare: boolean;
  common: boolean;
}

function guide(i: number): Guide {
  const r = prng(0x5eed + i);
  const rare = i % 100 === 37; // 10 guides out of 1,000
  const title = `${capital(r.some(domainWords, 3, 6).join(' '))} (guide ${i + 1})`;
  let summary = Array.from({ length: 2 }, () => sentence(r)).join(' ');
  if (summary.length > 300) summary = `${summary.slice(0, 296).replace(/\s+\S*$/, '')}.`;

  const published = Date.UTC(2015, 0, 1) + r.int(0, 4000) * DAY; // 2015-01-01 to 2025-12
  const reviewed = published + r.int(0, 300) * DAY;
  const fields: Record<string, string> = {
    title: JSON.stringify(title),
    summary: JSON.stringify(summary),
    published: isoDay(published),
    audience: 'public',
    topics: `[${r.some(topicKeys, 1, 3).join(', ')}]`,
    regions: `[${r.some(regionKeys, 1, 2).join(', ')}]`,
    owner: JSON.stringify(r.pick(owners)),
    reviewed: isoDay(reviewed),
    reviewDue: isoDay(reviewed + 365 * DAY),
    version: JSON.stringify(`${r.int(1, 3)}.${r.int(0, 9)}`),
  };

  // 400-800 words in 3-5 sections of paragraphs (and now and then a short list).
  const target = r.int(400, 800);
  const sections = r.int(3, 5);
  const rareAt = rare ? r.int(0, sections - 1) : -1;
  const blocks: string[] = [];
  let count = 0;
  for (let s = 0; s < sections; s++) {
    const heading = capital(r.some(domainWords, 2, 5).join(' '));
    blocks.push(`## ${heading}`);
    count += heading.split(' ').length;
    const budget = Math.round((target * (s + 1)) / sections);
    let first = true;
    while (count < budget) {
      if (!first && r.next() < 0.15) {
        const items = Array.from({ length: r.int(3, 5) }, () => `- ${Array.from({ length: r.int(3, 8) }, () => word(r)).join(' ')}`);
        blocks.push(items.join('\n'));
        count += items.join(' ').split(' ').length - items.length;
      }
      const sentences = Array.from({ length: r.int(3, 6) }, (_, k) => sentence(r, s === rareAt && first && k === 1 ? RARE_WORD : undefined));
      const paragraph = sentences.join(' ');
      blocks.push(paragraph);
      count += paragraph.split(' ').length;
      first = false;
    }
  }
  const body = blocks.join('\n\n');
  const frontmatter = Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n');
  return {
    file: `bench-guide-${String(i + 1).padStart(4, '0')}.mdx`,
    text: `---\n${frontmatter}\n---\n\n${body}\n`,
    words: count,
    rare,
    common: new RegExp(`\\b${COMMON_WORD}\\b`, 'i').test(body),
  };
}

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

  const { server, url } = await serve({ distDir: dist, host: '127.0.0.1', port: 0, publicOrigin: new URL('http://localhost:4321') });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const queries: QueryFigures[] = [];
  try {
    for (const q of [RARE_WORD, COMMON_WORD]) queries.push(await measureQuery(browser, url, q));
  } finally {
    await browser.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
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
