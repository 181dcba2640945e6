/**
 * Real `astro build` runs over fixture content, for tests of what a build publishes.
 * Builds go under node_modules/.cache (the built server resolves packages from the
 * project's node_modules) and are removed by `cleanup`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const root = new URL('../..', import.meta.url).pathname;

// Vitest puts its own import.meta.env (DEV=1, MODE=test…) into process.env; a build run
// from here must see the environment a deployer's shell would give it. Its output is
// matched as text, so no colour codes even where the CI forces colour on.
const buildEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(DEV|PROD|MODE|SSR|BASE_URL|NODE_ENV|VITEST.*|TEST|FORCE_COLOR)$/.test(k)),
  ),
  NO_COLOR: '1',
};

/** Frontmatter + body of an MDX entry. Values are written as given (quote strings yourself). */
export function mdx(fields: Record<string, string>, body: string): string {
  return `---\n${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n')}\n---\n\n${body}\n`;
}

export function fixtureBuilds(prefix: string) {
  mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
  const work = mkdtempSync(join(root, `node_modules/.cache/${prefix}-`));
  return {
    /**
     * Builds `files` (paths under content/, e.g. 'guides/x.mdx') and returns what happened.
     * Building the same name again reuses its content folder and cache, as a second build
     * of a real site would: only the files given change.
     */
    build(name: string, files: Record<string, string | Uint8Array>) {
      const content = join(work, name, 'content');
      for (const folder of ['guides', 'awareness', 'news', 'resources', 'events']) mkdirSync(join(content, folder), { recursive: true });
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(content, file)), { recursive: true });
        writeFileSync(join(content, file), text);
      }
      const out = join(work, name, 'dist');
      const result = spawnSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...buildEnv, CONTENT_DIR: content, BUILD_OUT_DIR: out, BUILD_CACHE_DIR: join(work, name, 'cache') },
      });
      return { status: result.status, output: `${result.stdout}\n${result.stderr}`, out, client: join(out, 'client') };
    },
    cleanup: () => rmSync(work, { recursive: true, force: true }),
  };
}

/** Every file's text under `dir`, as a browser would get it: Pagefind's chunks are gzip-compressed. */
export function allText(dir: string): string {
  return readdirSync(dir)
    .map((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return allText(path);
      const bytes = readFileSync(path);
      return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
    })
    .join('\n');
}
