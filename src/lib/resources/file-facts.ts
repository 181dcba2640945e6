import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { MAX_RESOURCE_BYTES, SIGNATURE_BYTES, acceptedExtensions, formatOfFileName, formatSize, resourceFormats, type ResourceFormatKey } from './formats.ts';

/** What the build learns from a resource's file; editors never type these. */
export interface ResourceFileFacts {
  /**
   * The name the file is offered under, e.g. "nrm-checklist.pdf": its own name, except a
   * file the browser editor uploaded (it names every upload `file.<ext>`, in a folder named
   * after the entry), which is offered under the entry's name.
   */
  fileName: string;
  format: ResourceFormatKey;
  bytes: number;
  /** SHA-256 of the content (hex): the download's ETag, so a resumed download never mixes two versions. */
  sha256: string;
}

/** The entry's address: `x` for resources/x.mdx and for resources/x/index.mdx. */
const entrySlug = (entryPath: string) => (basename(entryPath) === 'index.mdx' ? basename(dirname(entryPath)) : basename(entryPath, '.mdx'));

/** Names that are safe in a URL path and a Content-Disposition header without escaping. */
const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Checks the file a resource names and measures it. `entryPath` is the entry's .mdx
 * file, `file` the frontmatter value (a path relative to the entry), `collectionDir` the
 * resources folder the file must stay inside. Throws an Error naming the entry and the
 * `file` field when the file is missing, outside the folder, of a format we do not
 * accept, not what its extension says, empty or over 25 MB.
 */
export function resourceFileFacts(entryPath: string, file: string, collectionDir: string): ResourceFileFacts {
  const where = relative(process.cwd(), entryPath) || entryPath;
  const fail = (problem: string): never => {
    throw new Error(`${where}: file: ${problem}`);
  };
  if (isAbsolute(file) || /^[a-z]+:/i.test(file)) fail(`"${file}" must be a path relative to the entry, like "./${basename(entryPath, '.mdx')}.pdf"`);
  const path = resolve(dirname(entryPath), file);
  const inside = relative(resolve(collectionDir), path);
  if (inside.startsWith('..') || isAbsolute(inside) || inside.split(sep).includes('..')) {
    fail(`"${file}" is outside the resources folder; keep the file beside the entry or in a folder inside content/resources`);
  }
  const ownName = basename(path);
  if (!SAFE_FILE_NAME.test(ownName)) fail(`"${ownName}": use only letters, digits, dots, dashes and underscores in file names`);
  const fileName = /^file\.[A-Za-z0-9]+$/.test(ownName) ? `${entrySlug(entryPath)}${extname(ownName).toLowerCase()}` : ownName;
  const format = formatOfFileName(fileName);
  if (!format) fail(`"${ownName}" is not a format the library accepts; use one of ${acceptedExtensions}`);

  let bytes: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) fail(`"${file}" is not a file`);
    bytes = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') fail(`"${file}" does not exist (looked for ${relative(process.cwd(), path)})`);
    throw error;
  }
  if (bytes === 0) fail(`"${ownName}" is empty`);
  if (bytes > MAX_RESOURCE_BYTES) fail(`"${ownName}" is ${formatSize(bytes)}; files may be at most ${formatSize(MAX_RESOURCE_BYTES)}`);

  const content = readFileSync(path);
  const { label } = resourceFormats[format!];
  if (!resourceFormats[format!].matches(content.subarray(0, SIGNATURE_BYTES))) {
    fail(`"${ownName}" is not a ${label} file, whatever its name says; export it again as ${label}`);
  }
  return { fileName, format: format!, bytes, sha256: createHash('sha256').update(content).digest('hex') };
}
