import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkContent, type Finding } from '#lib/content/check/index.ts';
import { parseFrontmatter } from '#lib/content/frontmatter.ts';
import { editedSchemas, type EntryData } from '#lib/content/schemas.ts';
import { editedCollectionNames, type EditedCollectionName } from '#lib/content/taxonomy.ts';
import { resourceFileFacts } from '#lib/resources/file-facts.ts';
import { editablePath } from './paths.ts';
import { renderPreviewBody, type PreviewHeading } from './preview.ts';

/**
 * An entry as saved in the content folder (published or not), ready for the preview page:
 * its frontmatter as the schema reads it (for a resource, with what the build measures
 * from its file), its body as HTML, and what the content checks say about it. When the
 * schema or the checks reject what the build would refuse, there is nothing to lay out,
 * and the findings say why.
 */
export type PreviewEntry =
  | { ok: true; collection: EditedCollectionName; id: string; data: EntryData & Record<string, unknown>; html: string; headings: PreviewHeading[]; findings: Finding[] }
  | { ok: false; path: string; findings: Finding[] };

/** Findings the build would stop on, so the page cannot be laid out. */
const BLOCKING = new Set(['mdx-syntax', 'resource-file']);

export function previewEntry(contentDir: string, collection: string | undefined, slug: string | undefined): PreviewEntry | null {
  if (!collection || !slug || !(editedCollectionNames as string[]).includes(collection)) return null;
  const name = collection as EditedCollectionName;
  const path = editablePath(contentDir, `${name}/${slug}.mdx`);
  if (!path.ok) return null;
  let source: string;
  try {
    source = readFileSync(join(contentDir, path.path), 'utf8');
  } catch {
    return null;
  }
  const findings = checkContent({ contentDir }).findings.filter((f) => f.file === path.path);
  const frontmatter = parseFrontmatter(source);
  const parsed = frontmatter.ok ? editedSchemas[name].safeParse(frontmatter.data) : undefined;
  if (!parsed?.success || findings.some((f) => BLOCKING.has(f.rule))) return { ok: false, path: path.path, findings };
  let data = parsed.data as EntryData & Record<string, unknown>;
  if (name === 'resources') {
    const resourcesDir = join(contentDir, 'resources');
    data = { ...data, ...resourceFileFacts(join(contentDir, path.path), String(data.file), resourcesDir) };
  }
  const { html, headings } = renderPreviewBody(source, path.path);
  return { ok: true, collection: name, id: slug, data, html, headings, findings };
}
