/**
 * House style is what the browser editor writes: every entry in content/, and every entry
 * `npm run new` writes, comes back unchanged when Keystatic opens and saves it (Keystatic's
 * own code, tests/keystatic-format.ts), so an editor's one-word change is a one-line diff.
 * To bring files written by hand into house style: WRITE_HOUSE_STYLE=1 and run this file.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { keystaticSave, KEYSTATIC_BROWSER_BUILD } from '#tests/keystatic-format.ts';

vi.mock('@keystatic/core', async () => await import(KEYSTATIC_BROWSER_BUILD));

const root = fileURLToPath(new URL('../..', import.meta.url));
const { default: keystaticConfig } = await import('#lib/editing/keystatic-config.ts');
const { readSources } = await import('#lib/content/source-files.ts');
const { entryKinds, newEntry } = await import('#lib/content/new-entry.ts');

const collectionOf = (name: string) => keystaticConfig.collections![name as keyof typeof keystaticConfig.collections] as never;

describe('every entry in content/ is as the browser editor saves it', () => {
  const contentDir = join(root, 'content');
  const files = readSources(contentDir);
  it.each(files.map((f) => [`${f.collection}/${f.relPath}`, f] as const))('%s', async (path, file) => {
    const slug = file.relPath.replace(/\.mdx$/, '');
    const saved = await keystaticSave(collectionOf(file.collection), `${file.collection}/${slug}`, slug, file.source, contentDir);
    if (process.env.WRITE_HOUSE_STYLE) writeFileSync(join(contentDir, path), saved);
    expect(saved).toBe(readFileSync(join(contentDir, path), 'utf8'));
  });

  it('covers every collection editors write', () => {
    expect(new Set(files.map((f) => f.collection))).toEqual(new Set(['guides', 'awareness', 'news', 'resources', 'events']));
  });
});

describe('npm run new writes what the browser editor saves', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nmsn-house-style-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.keys(entryKinds))('%s', async (kind) => {
    const entry = newEntry(kind, 'A new entry in house style', new Date('2026-12-02T09:00:00Z'), { fileExtension: 'pdf' });
    if (!entry.ok) throw new Error(entry.message);
    mkdirSync(join(dir, 'resources', entry.slug), { recursive: true });
    writeFileSync(join(dir, 'resources', entry.slug, 'file.pdf'), '%PDF-1.4\n');
    const saved = await keystaticSave(collectionOf(entry.collection), `${entry.collection}/${entry.slug}`, entry.slug, entry.text, dir);
    expect(saved).toBe(entry.text);
  });
});
