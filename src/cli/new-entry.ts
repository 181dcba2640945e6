/**
 * `npm run new -- <guide|awareness|news> "Title"`: writes a new entry, valid and dated
 * today, as a draft in the content folder (CONTENT_DIR, default content/), and prints its
 * path. Exit status 1 when the file exists or the title is not valid, 2 for wrong usage.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { newEntry } from '#lib/content/new-entry.ts';
import { contentDir } from '#lib/content/source-files.ts';

const [kind, title, ...rest] = process.argv.slice(2);
if (!kind || !title || rest.length) {
  console.error('Usage: npm run new -- <guide|awareness|news> "Title of the entry"');
  process.exit(2);
}

const entry = newEntry(kind, title);
if (!entry.ok) {
  console.error(entry.message);
  process.exit(entry.message.includes('kind of entry') ? 2 : 1);
}
const folder = join(contentDir(), entry.collection);
const file = join(folder, `${entry.slug}.mdx`);
if (existsSync(file)) {
  console.error(`${relative(process.cwd(), file)} already exists: choose another title, or edit that entry.`);
  process.exit(1);
}
mkdirSync(folder, { recursive: true });
writeFileSync(file, entry.text, { flag: 'wx' });
console.log(relative(process.cwd(), file));
