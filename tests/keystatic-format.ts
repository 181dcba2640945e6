/**
 * What the browser editor (Keystatic) writes when it saves an entry, computed in Node with
 * Keystatic's own code: its browser build, which the running editor uses (the Node build
 * leaves out the MDX body's parser). An entry is in house style when saving it unchanged
 * rewrites nothing, so a one-word edit is a one-line diff.
 *
 * Test-only. A test file that imports this must first route `@keystatic/core` to the
 * browser build (`vi.mock('@keystatic/core', () => import(KEYSTATIC_BROWSER_BUILD))`), so
 * the project's editor configuration is made of the same fields the browser runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

const dist = new URL('../node_modules/@keystatic/core/dist/', import.meta.url);
/** The browser build of @keystatic/core (its fields, collections and config). */
export const KEYSTATIC_BROWSER_BUILD = new URL('keystatic-core.js', dist).href;

type Schema = Record<string, { kind: string; formKind?: string; directory?: string; contentExtension?: string } & Record<string, unknown>>;
interface Internals {
  /** Keystatic 0.6.9's parseProps and serializeProps (the chunk's short export names). */
  p: (schema: unknown, value: unknown, path: string[], slugs: string[], parse: (schema: any, value: unknown, path: string[], slugs: string[]) => unknown, validate: boolean) => unknown;
  c: (value: unknown, schema: unknown, slugField: string, slug: string, suggestFilenames: boolean) => { value: unknown; extraFiles: { path: string; parent?: string; contents: Uint8Array }[] };
}

const FRONTMATTER = /^---(?:\r?\n([^]*?))?\r?\n---\r?\n?/;

/**
 * The file Keystatic writes for `source` (the entry `collection/slug.mdx` in `contentDir`)
 * when an editor opens it and presses Save. Throws what Keystatic would show instead of
 * the form when it cannot open the entry.
 */
export async function keystaticSave(
  collection: { schema: Schema; slugField: string },
  dirpath: string,
  slug: string,
  source: string,
  contentDir: string,
): Promise<string> {
  const internals = (await import(new URL('index-3c244051.js', dist).href)) as Internals;
  const { fields } = (await import(KEYSTATIC_BROWSER_BUILD)) as typeof import('@keystatic/core');
  const match = FRONTMATTER.exec(source);
  if (!match) throw new Error('no frontmatter');
  const loaded = yaml.load(match[1] ?? '') ?? {};
  const body = new TextEncoder().encode(source.slice(match[0].length));
  const rootSchema = fields.object(collection.schema as never);

  const state = internals.p(rootSchema, loaded, [], [], (schema, value, path, slugs) => {
    if (path.length === 1 && path[0] === collection.slugField) return schema.parse(value, { slug });
    if (schema.formKind === 'asset') {
      const filepath = schema.filename(value, { suggestedFilenamePrefix: slugs.join('/'), slug });
      let asset: Uint8Array | undefined;
      if (filepath) {
        try {
          asset = readFileSync(join(contentDir, schema.directory ? `${schema.directory}/${slug}` : dirpath, filepath));
        } catch {
          asset = undefined;
        }
      }
      return schema.parse(value, { asset, slug });
    }
    if (schema.formKind === 'content') return schema.parse(value, { content: body, other: new Map(), external: new Map(), slug });
    return schema.parse(value, undefined);
  }, false);

  const { value, extraFiles } = internals.c(state, rootSchema, collection.slugField, slug, true);
  const content = extraFiles.find((f) => f.path === `body${(collection.schema.body as { contentExtension: string }).contentExtension}`);
  if (!content) throw new Error('no body');
  return `---\n${yaml.dump(value)}---\n${new TextDecoder().decode(content.contents)}`;
}
