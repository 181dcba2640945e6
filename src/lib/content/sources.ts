import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { parseFrontmatter } from 'astro/markdown';
import type { z } from 'astro/zod';
import { editedSchemas } from './schemas.ts';
import { entryIdFromPath } from './entry-ids.ts';

/**
 * The MDX sources of every collection, read straight from the content folder. Build
 * hooks (the members' search index, members' files, the links between entries) work
 * from these, because they run outside Astro's content layer.
 */
export const sourceSchemas = editedSchemas;

export type SourceCollection = keyof typeof sourceSchemas;
export const sourceCollections = Object.keys(sourceSchemas) as SourceCollection[];

export interface SourceFile {
  collection: SourceCollection;
  /** Path relative to the collection's folder, with `/` separators, e.g. "debriefing.mdx". */
  relPath: string;
  /** The file's text: frontmatter and MDX body. */
  source: string;
}

/** One parsed source; distributed over collections, so checking `collection` narrows `data`. */
export type ParsedSource<C extends SourceCollection = SourceCollection> = C extends SourceCollection
  ? { ok: true; collection: C; id: string; data: z.output<(typeof sourceSchemas)[C]>; body: string } | { ok: false; collection: C; error: string }
  : never;

/** Frontmatter checked with the collection's own schema, the id as Astro's glob loader makes it, and the body. */
export function parseSource<C extends SourceCollection>(file: SourceFile & { collection: C }): ParsedSource<C> {
  const { frontmatter, content } = parseFrontmatter(file.source, { frontmatter: 'remove' });
  const parsed = sourceSchemas[file.collection].safeParse(frontmatter);
  if (!parsed.success) {
    const error = `${file.collection}/${file.relPath}: frontmatter does not match the collection schema: ${parsed.error.message}`;
    return { ok: false, collection: file.collection, error } as ParsedSource<C>;
  }
  return { ok: true, collection: file.collection, id: entryIdFromPath(file.relPath, frontmatter.slug), data: parsed.data, body: content } as ParsedSource<C>;
}

/** Every .mdx file of the given collections under `contentDir`, as content.config.ts finds them, in a stable order. */
export function readSources(contentDir: string, collections: readonly SourceCollection[] = sourceCollections): SourceFile[] {
  return collections.flatMap((collection) => {
    const base = join(contentDir, collection);
    let names: string[];
    try {
      names = readdirSync(base, { recursive: true, encoding: 'utf8' });
    } catch {
      return [];
    }
    return names
      .filter((name) => name.endsWith('.mdx') && !name.split(sep).some((part) => part.startsWith('.')))
      .sort()
      .map((name) => ({ collection, relPath: name.split(sep).join('/'), source: readFileSync(join(base, name), 'utf8') }));
  });
}
