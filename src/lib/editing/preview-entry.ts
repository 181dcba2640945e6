import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkContent, type Finding } from '#lib/content/check/index.ts';
import { parseFrontmatter } from '#lib/content/frontmatter.ts';
import { collectionSchemas, type EntryData } from '#lib/content/schemas.ts';
import { collectionNames, type CollectionName } from '#lib/content/taxonomy.ts';
import { editablePath } from './paths.ts';
import { renderPreviewBody, type PreviewHeading } from './preview.ts';

/**
 * An entry as saved in the content folder (published or not), ready for the preview page:
 * its frontmatter as the schema reads it, its body as HTML, and what the content checks
 * say about it. When the schema rejects the frontmatter there is nothing to lay out, and
 * the findings say why.
 */
export type PreviewEntry =
  | { ok: true; collection: CollectionName; id: string; data: EntryData & Record<string, unknown>; html: string; headings: PreviewHeading[]; findings: Finding[] }
  | { ok: false; path: string; findings: Finding[] };

export function previewEntry(contentDir: string, collection: string | undefined, slug: string | undefined): PreviewEntry | null {
  if (!collection || !slug || !(collectionNames as string[]).includes(collection)) return null;
  const path = editablePath(contentDir, `${collection}/${slug}.mdx`);
  if (!path.ok) return null;
  let source: string;
  try {
    source = readFileSync(join(contentDir, path.path), 'utf8');
  } catch {
    return null;
  }
  const findings = checkContent({ contentDir }).findings.filter((f) => f.file === path.path);
  const frontmatter = parseFrontmatter(source);
  const parsed = frontmatter.ok ? collectionSchemas[collection as CollectionName].safeParse(frontmatter.data) : undefined;
  if (!parsed?.success || findings.some((f) => f.rule === 'mdx-syntax')) return { ok: false, path: path.path, findings };
  const { html, headings } = renderPreviewBody(source, path.path);
  return { ok: true, collection: collection as CollectionName, id: slug, data: parsed.data as EntryData & Record<string, unknown>, html, headings, findings };
}
