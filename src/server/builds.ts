import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join, relative } from 'node:path';

/**
 * The builds folder (BUILDS_DIR, inside the project: a build's server code loads
 * packages from the project's node_modules). Each publish gets a folder:
 *
 *   builds/0007-20261201T230501Z/content/   the files it was built from (its snapshot)
 *   builds/0007-20261201T230501Z/dist/      the build the server switched to
 *   builds/live.json                        which build is live, and its snapshot
 *   builds/initial/content/                 what the build the server started with was made from
 *   builds/.cache/                          Astro's cache, shared by publish builds
 *
 * The live build and the one before it keep their dist (requests under way when the
 * server switched may still read the old one's files); older dists are removed. The
 * snapshots of the last KEEP_SNAPSHOTS publishes are kept for history and rollback.
 */

export const KEEP_SNAPSHOTS = 20;

export interface LiveBuild {
  /** The publish it came from; null for the build the server started with. */
  publishId: number | null;
  /** The build output folder the server serves. */
  dist: string;
  /** The content it was built from. */
  snapshot: string;
  builtAt: string;
}

const livePath = (buildsDir: string) => join(buildsDir, 'live.json');

export function readLive(buildsDir: string): LiveBuild | null {
  try {
    const live = JSON.parse(readFileSync(livePath(buildsDir), 'utf8')) as LiveBuild;
    return existsSync(join(live.dist, 'server/entry.mjs')) && existsSync(live.snapshot) ? live : null;
  } catch {
    return null;
  }
}

/** Written to a new file and renamed, so a reader never sees half of it. */
export function writeLive(buildsDir: string, live: LiveBuild): void {
  mkdirSync(buildsDir, { recursive: true });
  const tmp = `${livePath(buildsDir)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(live, null, 2)}\n`);
  renameSync(tmp, livePath(buildsDir));
}

/** "0007-20261201T230501Z": sorts by publish, unique even if the database is replaced. */
export function buildFolderName(publishId: number, now: Date): string {
  return `${String(publishId).padStart(4, '0')}-${now.toISOString().replace(/[-:]|\.\d+/g, '')}`;
}

/** Removes old builds: every dist but the live one and `previous`, every snapshot beyond the newest KEEP_SNAPSHOTS. */
export function pruneBuilds(buildsDir: string, keepDists: string[]): void {
  const folders = readdirSync(buildsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d{4,}-/.test(e.name))
    .map((e) => e.name)
    .sort()
    .reverse();
  folders.forEach((name, i) => {
    const dir = join(buildsDir, name);
    if (i >= KEEP_SNAPSHOTS) rmSync(dir, { recursive: true, force: true });
    else if (!keepDists.includes(join(dir, 'dist'))) rmSync(join(dir, 'dist'), { recursive: true, force: true });
  });
}

export interface BuildOutcome {
  ok: boolean;
  /** The build's error, in the lines that say what and where (paths inside the content folder). */
  error?: string;
}

/**
 * Runs `astro build` from `contentDir` into `outDir` without blocking the server, at a
 * lower CPU priority so the live site keeps answering while it builds.
 */
export function buildSite(root: string, target: { contentDir: string; outDir: string; cacheDir: string }, env: NodeJS.ProcessEnv = process.env): Promise<BuildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
      cwd: root,
      env: { ...env, CONTENT_DIR: target.contentDir, BUILD_OUT_DIR: target.outDir, BUILD_CACHE_DIR: target.cacheDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      if (child.pid) setPriority(child.pid, 10);
    } catch {
      // Not allowed on this system: build at normal priority.
    }
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ ok: false, error: error.message }));
    child.on('close', (code) => resolve(code === 0 ? { ok: true } : { ok: false, error: buildError(output, target.contentDir) }));
  });
}

/** The part of a failed build's output that says what went wrong and where. */
export function buildError(output: string, contentDir: string): string {
  // eslint-disable-next-line no-control-regex
  const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const start = lines.findIndex((l) => /\[[A-Za-z]*Error\]|^\s*error\b/i.test(l));
  const picked = (start >= 0 ? lines.slice(start, start + 12) : lines.slice(-12)).filter((l) => l.trim() && !/^\s+at /.test(l));
  return picked
    .join('\n')
    .replaceAll(contentDir, 'content')
    .replaceAll(relative(process.cwd(), contentDir), 'content')
    .trim();
}
