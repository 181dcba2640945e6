import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { blobSha } from '#lib/editing/conflicts.ts';
import { editedCollectionNames } from '#lib/content/taxonomy.ts';

/**
 * A publish builds a copy of the content folder taken at its start (a snapshot), so
 * saves made while it builds wait for the next publish, and the files each publish went
 * live with are kept: for the history (what it added, changed, removed), for "changed
 * but not published" on the dashboard, and for rollback. Version-control and editor
 * folders are left out; symbolic links are never followed.
 */

/** Path inside the content folder → git blob sha of the file. */
export type Manifest = Record<string, string>;

const SKIP = new Set(['.git', 'node_modules', '.DS_Store']);

/** Every regular file under `dir`, relative, with `/` separators. */
export function listFiles(dir: string, prefix = ''): string[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, prefix));
  } catch {
    return [];
  }
  return names.sort().flatMap((name) => {
    if (SKIP.has(name)) return [];
    const rel = prefix ? `${prefix}/${name}` : name;
    const stat = lstatSync(join(dir, rel));
    if (stat.isDirectory()) return listFiles(dir, rel);
    return stat.isFile() ? [rel] : [];
  });
}

export function manifestOf(dir: string): Manifest {
  return Object.fromEntries(listFiles(dir).map((path) => [path, blobSha(readFileSync(join(dir, path)))]));
}

/** Copies the content folder's files into `target` (which must not exist yet) and returns their manifest. */
export function takeSnapshot(contentDir: string, target: string): Manifest {
  mkdirSync(target, { recursive: true });
  const manifest: Manifest = {};
  for (const path of listFiles(contentDir)) {
    const bytes = readFileSync(join(contentDir, path));
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), bytes);
    manifest[path] = blobSha(bytes);
  }
  return manifest;
}

export interface Changes {
  added: string[];
  changed: string[];
  removed: string[];
}

/** What changed between two manifests: library entries and their images, as paths. */
export function diffManifests(before: Manifest, after: Manifest): Changes {
  const changes: Changes = { added: [], changed: [], removed: [] };
  for (const [path, sha] of Object.entries(after)) {
    if (!(path in before)) changes.added.push(path);
    else if (before[path] !== sha) changes.changed.push(path);
  }
  for (const path of Object.keys(before)) if (!(path in after)) changes.removed.push(path);
  return changes;
}

/**
 * The entry a changed file belongs to, e.g. "guides/x.mdx" for itself and "resources/x.mdx"
 * for a resource's uploaded file ("resources/x/file.pdf"); null for other files (images,
 * the sources register).
 */
export function entryPathOf(path: string): string | null {
  const parts = path.split('/');
  if (!(editedCollectionNames as string[]).includes(parts[0]!)) return null;
  if (parts.length === 2 && path.endsWith('.mdx')) return path;
  if (parts[0] === 'resources' && parts.length === 3 && /^file\.[A-Za-z0-9]+$/.test(parts[2]!)) return `resources/${parts[1]}.mdx`;
  return null;
}

/** Entries among changed paths, e.g. "guides/x.mdx", each once (images and other files left out). */
export function entryPaths(paths: string[]): string[] {
  return [...new Set(paths.map(entryPathOf).filter((p): p is string => p !== null))];
}

/**
 * Makes the content folder hold exactly the snapshot's files (a rollback): files the
 * snapshot lacks are removed, the rest written where they differ. Returns the paths it
 * wrote or removed.
 */
export function restoreSnapshot(snapshotDir: string, contentDir: string): string[] {
  const touched: string[] = [];
  const wanted = manifestOf(snapshotDir);
  const current = manifestOf(contentDir);
  for (const path of Object.keys(current)) {
    if (path in wanted) continue;
    rmSync(join(contentDir, path));
    touched.push(path);
  }
  for (const [path, sha] of Object.entries(wanted)) {
    if (current[path] === sha) continue;
    mkdirSync(dirname(join(contentDir, path)), { recursive: true });
    cpSync(join(snapshotDir, path), join(contentDir, path));
    touched.push(path);
  }
  return touched;
}
