/**
 * Publish benchmark: 1,000 synthetic guides served by the portal's own server
 * (servePortal, as `npm start` runs it); one guide is changed and published through the
 * same path as an editor's Publish button, while autocannon requests pages without a
 * pause. Reports the time from Publish to live, and the errors and p99 latency of the
 * requests before the publish, while it builds, and across the switch. It reports
 * figures and asserts nothing about time; a failed publish or a failed request fails it.
 *
 *   npm run bench:publish     (BENCH_GUIDES=n for a quick trial; BENCH_KEEP=1 keeps the folder)
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Result as AutocannonResult } from 'autocannon';
import { guide } from './synthetic-guides.ts';

// The server's JSON line per request would drown the report; warnings and errors only.
process.env.LOG_LEVEL ??= 'warn';

const GUIDES = Number(process.env.BENCH_GUIDES ?? 1000);
/** Seconds of each autocannon window, and its connections. */
const WINDOW = 3;
const CONNECTIONS = 8;

const root = fileURLToPath(new URL('..', import.meta.url));
const execFileAsync = promisify(execFile);
const log = (line: string) => console.error(line);

interface Window {
  startedAt: number;
  endedAt: number;
  requests: number;
  failed: number;
  p99: number;
}

/** One autocannon window, in a process of its own (in this one it would take the server's event loop). */
async function window(url: string): Promise<Window> {
  const startedAt = performance.now();
  const args = [join(root, 'node_modules/autocannon/autocannon.js'), '-j', '-c', String(CONNECTIONS), '-d', String(WINDOW), url];
  const { stdout } = await execFileAsync(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as AutocannonResult;
  return { startedAt, endedAt: performance.now(), requests: result.requests.total, failed: result.non2xx + result.errors + result.timeouts, p99: result.latency.p99 };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
function table(rows: [string, string][]): string {
  const w0 = Math.max(...rows.map(([a]) => a.length), 7);
  const w1 = Math.max(...rows.map(([, b]) => b.length), 5);
  const line = (a: string, b: string) => `| ${a.padEnd(w0)} | ${b.padEnd(w1)} |`;
  return [line('Measure', 'Value'), `| ${'-'.repeat(w0)} | ${'-'.repeat(w1)} |`, ...rows.map(([a, b]) => line(a, b))].join('\n');
}
const summarise = (ws: Window[]) => ({
  requests: ws.reduce((n, w) => n + w.requests, 0),
  failed: ws.reduce((n, w) => n + w.failed, 0),
  p99: Math.max(0, ...ws.map((w) => w.p99)),
});

mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
// Inside the project: a build's server code resolves its packages from node_modules above it.
const work = mkdtempSync(join(root, 'node_modules/.cache/bench-publish-'));
const content = join(work, 'content');
// The server and the builds it runs read their settings from the environment: set them first.
process.env.DATABASE_URL = `file:${join(mkdtempSync(join(tmpdir(), 'nmsn-bench-publish-')), 'portal.db')}`;
process.env.TOTP_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');
process.env.CONTENT_DIR = content;
let exitCode = 0;

try {
  for (const folder of ['guides', 'awareness', 'news']) mkdirSync(join(content, folder), { recursive: true });
  for (let i = 0; i < GUIDES; i++) {
    const g = guide(i);
    writeFileSync(join(content, 'guides', g.file), g.text);
  }
  log(`Generated ${GUIDES} guides in ${work}; building the first version…`);

  const { getDb, migrateDatabase } = await import('#lib/db.ts');
  const { servePortal } = await import('#server/portal.ts');
  const db = await getDb();
  await migrateDatabase(db);
  const portal = await servePortal({
    root,
    db,
    host: '127.0.0.1',
    port: 0,
    publicOrigin: new URL('http://localhost:4321'),
    contentDir: content,
    buildsDir: join(work, 'builds'),
    firstBuild: { outDir: join(work, 'dist'), contentDir: content, cacheDir: join(work, 'builds/.cache') },
    nightly: false,
  });
  const page = new URL('/guides/bench-guide-0001', portal.url).href;
  try {
    log('Load before the publish…');
    const before: Window[] = [await window(page), await window(page)];

    // The change an editor would save: a new summary on one guide.
    const changed = join(content, 'guides', 'bench-guide-0001.mdx');
    writeFileSync(changed, readFileSync(changed, 'utf8').replace(/^summary: .*$/m, 'summary: "A summary changed for the publish benchmark, to see it go live."'));

    log('Publishing under load…');
    const during: Window[] = [];
    const started = performance.now();
    const request = await portal.publisher.start({ kind: 'publish', actor: null });
    if (!request.ok) throw new Error(`The publish did not start: ${request.message}`);
    let liveAt = 0;
    const watch = setInterval(() => {
      if (!liveAt && portal.publisher.live().publishId === request.publishId) liveAt = performance.now();
    }, 20);
    const settled = portal.publisher.settled();
    let done = false;
    void settled.then(() => (done = true));
    // Windows back to back until the publish has ended, then one more after the switch.
    while (!done) during.push(await window(page));
    during.push(await window(page));
    clearInterval(watch);
    if (!liveAt) throw new Error('The publish ended without going live; see the publishes table.');

    const html = await (await fetch(page)).text();
    if (!html.includes('A summary changed for the publish benchmark')) throw new Error('The live page does not show the published summary.');

    const across = during.filter((w) => w.startedAt <= liveAt && liveAt <= w.endedAt + 50);
    const building = during.filter((w) => w.endedAt < liveAt);
    const b = summarise(before);
    const d = summarise(building);
    const x = summarise(across);
    const all = summarise([...before, ...during]);
    console.log(
      table([
        ['Guides', fmt(GUIDES)],
        ['Publish to live (checks, build, trial, switch)', `${fmt((liveAt - started) / 1000, 1)} s`],
        [`Requests (autocannon, ${CONNECTIONS} connections, ${WINDOW} s windows)`, `${fmt(all.requests)}, failed ${fmt(all.failed)}`],
        ['p99 before the publish', `${fmt(b.p99)} ms (${fmt(b.requests)} requests)`],
        ['p99 while it builds (worst window)', `${fmt(d.p99)} ms (${fmt(d.requests)} requests)`],
        ['p99 across the switch', `${fmt(x.p99)} ms (${fmt(x.requests)} requests, failed ${fmt(x.failed)})`],
      ]),
    );
    if (all.failed > 0) throw new Error(`${all.failed} requests failed.`);
  } finally {
    portal.stop();
    portal.server.closeAllConnections();
    await new Promise((resolve) => portal.server.close(resolve));
    db.$client.close();
  }
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  exitCode = 1;
} finally {
  if (process.env.BENCH_KEEP === '1') log(`Kept ${work} (BENCH_KEEP=1).`);
  else rmSync(work, { recursive: true, force: true });
}
process.exitCode = exitCode;
