import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a build depends on: when any of it is newer than the last build, build again. */
const SOURCES = ['src', 'content', 'public', 'astro.config.mjs', 'package-lock.json', 'tsconfig.json'];
const STAMP = 'dist/.built-at';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), stat.mtimeMs);
}

export function isBuildCurrent(root: string): boolean {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp) || !existsSync(join(root, 'dist/server/entry.mjs'))) return false;
  const builtAt = statSync(stamp).mtimeMs;
  return SOURCES.every((s) => newestMtime(join(root, s)) <= builtAt);
}

/** Runs `astro build` when the sources changed since the last one; exits on failure. */
export function ensureBuilt(root: string, env: NodeJS.ProcessEnv = process.env): void {
  if (isBuildCurrent(root)) return;
  console.log('Building the portal (sources changed since the last build)…');
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error('The build failed; see the messages above.');
  writeFileSync(join(root, STAMP), new Date().toISOString());
  console.log(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
