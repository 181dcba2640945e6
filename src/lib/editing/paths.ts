import { lstatSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { formatFromName } from '#lib/content/images.ts';
import { editedCollectionNames } from '#lib/content/taxonomy.ts';
import { formatOfFileName } from '#lib/resources/formats.ts';

/**
 * Which files the browser editor may read and write, checked before Keystatic sees the
 * request: inside the content folder, in a collection folder (entries, `.mdx`), the
 * images folder (raster images) or a resource's upload (resources/<entry>/file.<ext>, a
 * format the library accepts), every part of the path a plain name (no `..`, no
 * hidden files, no encoded or odd characters), and no symbolic link on the way, so
 * nothing can reach outside the folder. Keystatic checks paths too; this is the
 * stricter check we own.
 */

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/;
const ENTRY_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ENTRY_FILE = /^[a-z0-9]+(?:-[a-z0-9]+)*\.mdx$/;
/** How the browser editor names a resource's upload (it names every file field's upload after the field). */
const RESOURCE_UPLOAD = /^file\.[A-Za-z0-9]+$/;

export type EditableKind = 'entry' | 'image' | 'resource-file';
export type EditablePath = { ok: true; path: string; kind: EditableKind; absolute: string } | { ok: false; reason: string };

export function editablePath(contentDir: string, path: unknown): EditablePath {
  if (typeof path !== 'string' || path.length === 0 || path.length > 300) return { ok: false, reason: 'not a file path' };
  if (path.normalize('NFC') !== path || /[\\\0%]/.test(path) || path.startsWith('/')) return { ok: false, reason: `${path}: not a plain path` };
  const parts = path.split('/');
  if (!parts.every((p) => NAME.test(p) && p !== '.' && p !== '..' && !p.includes('..'))) return { ok: false, reason: `${path}: not a plain path` };

  const collections = editedCollectionNames as string[];
  let kind: EditableKind;
  if (collections.includes(parts[0]!) && parts.length === 2 && ENTRY_FILE.test(parts[1]!)) kind = 'entry';
  else if (parts[0] === 'images' && collections.includes(parts[1]!) && parts.length === 4 && formatFromName(parts[3]!)) kind = 'image';
  else if (parts[0] === 'resources' && parts.length === 3 && ENTRY_NAME.test(parts[1]!) && RESOURCE_UPLOAD.test(parts[2]!) && formatOfFileName(parts[2]!)) kind = 'resource-file';
  else return { ok: false, reason: `${path}: the editor may only change entries (collection/name.mdx), images (images/collection/entry/file) and resources' files (resources/entry/file.pdf…)` };

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
