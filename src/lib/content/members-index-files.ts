import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config, type Config } from '#lib/config.ts';

/** Where the build writes the members' Pagefind bundle, relative to the build output (dist/). */
export const MEMBERS_INDEX_FOLDER = 'private/pagefind-members';

/**
 * A folder the build writes beside the server build, outside dist/client, for files only
 * authenticated routes may read (the members' search bundle, members' resource files).
 * Found by walking up from this module to the server folder (dist/server, holding
 * entry.mjs), as @astrojs/node does to find dist/client. Under `astro dev` there is no
 * server folder: a previous build's folder is used, if any.
 */
export function privateBuildDir(folder: string, from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (basename(dir) === 'server' && existsSync(join(dir, 'entry.mjs'))) return join(dir, '..', folder);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return resolve('dist', folder);
}

/** The members' bundle on disk; MEMBERS_INDEX_DIR overrides it (e.g. when the build output is moved apart). */
export function membersIndexDir(settings: Partial<Pick<Config, 'MEMBERS_INDEX_DIR'>> = config(), from: string = import.meta.url): string {
  if (settings.MEMBERS_INDEX_DIR) return resolve(settings.MEMBERS_INDEX_DIR);
  return privateBuildDir(MEMBERS_INDEX_FOLDER, from);
}

/** File and folder names Pagefind writes: letters, digits, dot, dash, underscore. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * The file a request path names inside the bundle, or null when the path is not one
 * Pagefind could have written: empty, encoded or literal `..`, backslashes, NUL, hidden
 * names, or anything resolving outside the folder. Checked before sign-in, so a probe
 * gets a 404 whoever sends it.
 */
export function resolveIndexPath(root: string, requestPath: string | undefined): string | null {
  if (!requestPath) return null;
  let decoded = requestPath;
  // Astro may hand over the parameter still percent-encoded (e.g. %2F); decode until stable.
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      return null;
    }
  }
  if (/%[0-9a-f]{2}/i.test(decoded)) return null;
  const segments = decoded.split('/');
  if (!segments.every((s) => SAFE_SEGMENT.test(s))) return null;
  const file = resolve(root, ...segments);
  const rel = relative(resolve(root), file);
  if (!rel || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return file;
}

/** An existing regular file inside the bundle, or null. */
export function findIndexFile(root: string, requestPath: string | undefined): string | null {
  const file = resolveIndexPath(root, requestPath);
  if (!file) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/** Pagefind's scripts run as JavaScript; its index chunks and wasm are opaque bytes. */
export function indexContentType(file: string): string {
  return file.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'application/octet-stream';
}
