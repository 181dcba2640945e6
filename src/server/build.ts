import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { productionBuildProblem } from '#lib/config.ts';

/** The code a build depends on. */
export const CODE_SOURCES = ['src', 'public', 'astro.config.mjs', 'package-lock.json', 'tsconfig.json'];
/** What a build depends on: when any of it is newer than the last build, build again. */
const SOURCES = [...CODE_SOURCES, 'content'];

/**
 * Where a build goes and what it reads. The default is the portal's own build
 * (content/ into dist/); the end-to-end tests build their own copy elsewhere with test
 * fixtures added to the content (tests/e2e/test-content.ts).
 */
export interface BuildTarget {
  /** The build output folder, relative to the project root or absolute. */
  outDir: string;
  /** The content folder the build reads (CONTENT_DIR); default content/. */
  contentDir?: string;
  /** Astro's cache folder for this build (BUILD_CACHE_DIR); default node_modules/.astro. */
  cacheDir?: string;
  /** More paths, relative to the root, whose changes call for a new build. */
  extraSources?: string[];
  /** Runs just before a build, e.g. to assemble the content folder. */
  prepare?: () => void;
  /** What the build depends on, instead of the code, content/ and `extraSources` (paths relative to the root or absolute). */
  sources?: string[];
}

const portalBuild: BuildTarget = { outDir: 'dist' };

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), stat.mtimeMs);
}

const resolveIn = (root: string, path: string) => (isAbsolute(path) ? path : join(root, path));

export function isBuildCurrent(root: string, target: BuildTarget = portalBuild): boolean {
  const outDir = resolveIn(root, target.outDir);
  const stamp = join(outDir, '.built-at');
  if (!existsSync(stamp) || !existsSync(join(outDir, 'server/entry.mjs'))) return false;
  const builtAt = statSync(stamp).mtimeMs;
  return (target.sources ?? [...SOURCES, ...(target.extraSources ?? [])]).every((s) => newestMtime(resolveIn(root, s)) <= builtAt);
}

/** Runs `astro build` when the sources changed since the last one; returns the build's folder. */
export function ensureBuilt(root: string, env: NodeJS.ProcessEnv = process.env, target: BuildTarget = portalBuild): string {
  const outDir = resolveIn(root, target.outDir);
  if (isBuildCurrent(root, target)) return outDir;
  const problem = productionBuildProblem(env);
  if (problem) throw new Error(problem);
  console.log('Building the portal (sources changed since the last build)…');
  const started = Date.now();
  target.prepare?.();
  const result = spawnSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    cwd: root,
    env: {
      ...env,
      BUILD_OUT_DIR: outDir,
      ...(target.contentDir ? { CONTENT_DIR: resolveIn(root, target.contentDir) } : {}),
      ...(target.cacheDir ? { BUILD_CACHE_DIR: resolveIn(root, target.cacheDir) } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error('The build failed; see the messages above.');
  writeFileSync(join(outDir, '.built-at'), new Date().toISOString());
  console.log(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return outDir;
}
