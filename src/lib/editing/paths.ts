import { lstatSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { formatFromName } from '#lib/content/images.ts';
import { collectionNames } from '#lib/content/taxonomy.ts';

/**
 * Which files the browser editor may read and write, checked before Keystatic sees the
 * request: inside the content folder, in a collection folder (entries, `.mdx`) or the
 * images folder (raster images), every part of the path a plain name (no `..`, no
 * hidden files, no encoded or odd characters), and no symbolic link on the way, so
 * nothing can reach outside the folder. Keystatic checks paths too; this is the
 * stricter check we own.
 */

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/;
const ENTRY_FILE = /^[a-z0-9]+(?:-[a-z0-9]+)*\.mdx$/;

export type EditablePath = { ok: true; path: string; kind: 'entry' | 'image'; absolute: string } | { ok: false; reason: string };

export function editablePath(contentDir: string, path: unknown): EditablePath {
  if (typeof path !== 'string' || path.length === 0 || path.length > 300) return { ok: false, reason: 'not a file path' };
  if (path.normalize('NFC') !== path || /[\\\0%]/.test(path) || path.startsWith('/')) return { ok: false, reason: `${path}: not a plain path` };
  const parts = path.split('/');
  if (!parts.every((p) => NAME.test(p) && p !== '.' && p !== '..' && !p.includes('..'))) return { ok: false, reason: `${path}: not a plain path` };

  let kind: 'entry' | 'image';
  if ((collectionNames as string[]).includes(parts[0]!) && parts.length === 2 && ENTRY_FILE.test(parts[1]!)) kind = 'entry';
  else if (parts[0] === 'images' && (collectionNames as string[]).includes(parts[1]!) && parts.length === 4 && formatFromName(parts[3]!)) kind = 'image';
  else return { ok: false, reason: `${path}: the editor may only change entries (collection/name.mdx) and images (images/collection/entry/file)` };

  const absolute = join(contentDir, ...parts);
  const inside = relative(contentDir, absolute);
  if (inside.startsWith('..') || isAbsolute(inside)) return { ok: false, reason: `${path}: outside the content folder` };

  // No symbolic link anywhere from the content folder down (existing parts only).
  let current = contentDir;
  for (const part of parts) {
    current = join(current, part);
    const stat = lstatSync(current, { throwIfNoEntry: false });
    if (!stat) break;
    if (stat.isSymbolicLink()) return { ok: false, reason: `${path}: a symbolic link, which the editor never follows` };
  }
  return { ok: true, path, kind, absolute };
}
