/**
 * `npm run new -- <guide|awareness|news|event> "Title"`, or
 * `npm run new -- resource "Title" path/to/file.pdf`: writes a new entry, valid and dated
 * today, as a draft in the content folder (CONTENT_DIR, default content/), and prints its
 * path (and, for a resource, its file's). Exit status 1 when the entry exists or the
 * title or file is not valid, 2 for wrong usage.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { newEntry } from '#lib/content/new-entry.ts';
import { contentDir } from '#lib/content/source-files.ts';
import { acceptedExtensions, formatOfFileName, formatSize, MAX_RESOURCE_BYTES, resourceFormats, SIGNATURE_BYTES } from '#lib/resources/formats.ts';

const USAGE = 'Usage: npm run new -- <guide|awareness|news|event> "Title of the entry"\n   or: npm run new -- resource "Title of the resource" path/to/file.pdf';
const [kind, title, ...rest] = process.argv.slice(2);
const filePath = kind === 'resource' ? rest.shift() : undefined;
if (!kind || !title || rest.length || (kind === 'resource' && !filePath)) {
  console.error(USAGE);
  process.exit(2);
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** The resource's file, checked by the rules the build applies. */
function readResourceFile(path: string): Buffer {
  const format = formatOfFileName(path);
  if (!format) fail(`${path} is not a format the library accepts; use one of ${acceptedExtensions}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    fail(`${path} cannot be read: check the path.`);
  }
  if (bytes.byteLength === 0) fail(`${path} is empty.`);
  if (bytes.byteLength > MAX_RESOURCE_BYTES) fail(`${path} is ${formatSize(bytes.byteLength)}; files may be at most ${formatSize(MAX_RESOURCE_BYTES)}.`);
  const { label, matches } = resourceFormats[format];
  if (!matches(bytes.subarray(0, SIGNATURE_BYTES))) fail(`${path} is not a ${label} file, whatever its name says; export it again as ${label}.`);
  return bytes;
}

const fileBytes = filePath ? readResourceFile(filePath) : undefined;
const entry = newEntry(kind, title, new Date(), { fileExtension: filePath ? extname(filePath).slice(1) : undefined });
if (!entry.ok) {
  console.error(entry.message);
  process.exit(entry.message.includes('kind of entry') ? 2 : 1);
}
const folder = join(contentDir(), entry.collection);
const file = join(folder, `${entry.slug}.mdx`);
if (existsSync(file)) fail(`${relative(process.cwd(), file)} already exists: choose another title, or edit that entry.`);
mkdirSync(folder, { recursive: true });
if (fileBytes) {
  // Where the browser editor keeps an upload, so the entry opens there too.
  const target = join(folder, entry.slug, `file${extname(filePath!).toLowerCase()}`);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, fileBytes, { flag: 'wx' });
  console.log(relative(process.cwd(), target));
}
writeFileSync(file, entry.text, { flag: 'wx' });
console.log(relative(process.cwd(), file));
