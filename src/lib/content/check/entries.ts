import GithubSlugger from 'github-slugger';
import { mdxToMdast } from 'satteri';
import { parseFrontmatter, type ParsedFrontmatter } from '#lib/content/frontmatter.ts';
import { editedSchemas, type EntryData } from '#lib/content/schemas.ts';
import { contentPath, entryIdFromPath, type SourceFile } from '#lib/content/source-files.ts';

/** The part of an mdast node the checks read (satteri's tree, the same parser as the build). */
export interface MdNode {
  type: string;
  children?: MdNode[];
  value?: string;
  url?: string;
  alt?: string | null;
  depth?: number;
  name?: string | null;
  position?: { start: { line: number; column: number } };
}

export interface Heading {
  depth: number;
  text: string;
  /** The id the built page gives the heading (github-slugger, as Astro's heading-ids step). */
  slug: string;
  line: number;
}

/** One entry file, read once and shared by every rule. */
export interface CheckedEntry {
  file: SourceFile;
  /** e.g. "guides/working-with-interpreters.mdx" */
  path: string;
  /** The entry's id, as the build gives it (its address is /{collection}/{id}). */
  id: string;
  frontmatter: ParsedFrontmatter;
  /** The schema's output, when it accepts the frontmatter. */
  data?: EntryData & Record<string, unknown>;
  schemaIssues: { path: PropertyKey[]; message: string }[];
  /** The MDX tree, or why it could not be read. */
  tree?: MdNode;
  syntaxError?: { line?: number; message: string };
  headings: Heading[];
}

export function lineOf(node: MdNode): number | undefined {
  return node.position?.start.line;
}

/** Every node of the tree, depth first, in document order. */
export function* walk(node: MdNode): Generator<MdNode> {
  yield node;
  for (const child of node.children ?? []) yield* walk(child);
}

/** The text a reader sees in a node: text and code, without the Markdown marks. */
export function textOf(node: MdNode): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value ?? '';
  return (node.children ?? []).map(textOf).join('');
}

export function readEntry(file: SourceFile): CheckedEntry {
  const frontmatter = parseFrontmatter(file.source);
  const entry: CheckedEntry = {
    file,
    path: contentPath(file),
    id: entryIdFromPath(file.relPath, frontmatter.ok ? frontmatter.data.slug : undefined),
    frontmatter,
    schemaIssues: [],
    headings: [],
  };
  if (frontmatter.ok) {
    const parsed = editedSchemas[file.collection].safeParse(frontmatter.data);
    if (parsed.success) entry.data = parsed.data as CheckedEntry['data'];
    else entry.schemaIssues = parsed.error.issues.map((i) => ({ path: i.path, message: i.message }));
  }
  try {
    entry.tree = mdxToMdast(file.source) as MdNode;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // satteri reports "line:column: message (rule)".
    const at = /^(\d+):(\d+):\s*/.exec(message);
    entry.syntaxError = { line: at ? Number(at[1]) : undefined, message: at ? message.slice(at[0].length) : message };
  }
  if (entry.tree) {
    const slugger = new GithubSlugger();
    for (const node of walk(entry.tree)) {
      if (node.type !== 'heading') continue;
      const text = textOf(node);
      entry.headings.push({ depth: node.depth ?? 1, text, slug: slugger.slug(text), line: lineOf(node) ?? 0 });
    }
  }
  return entry;
}
