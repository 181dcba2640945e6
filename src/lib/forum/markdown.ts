import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkRehype from 'remark-rehype';
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import type { Element, Root } from 'hast';
import { visit } from 'unist-util-visit';

/**
 * The allow-list: GitHub's schema (what rehype-sanitize ships) minus images and
 * anything that can load or run something. Raw HTML in posts is dropped before this
 * (remark-rehype without allowDangerousHtml); this is the second wall.
 */
const schema: SanitizeSchema = {
  ...defaultSchema,
  tagNames: (defaultSchema.tagNames ?? []).filter((tag) => !['img', 'picture', 'source', 'video', 'audio', 'iframe', 'input'].includes(tag)),
  protocols: { href: ['http', 'https', 'mailto'] },
  // Markdown cannot author ids or names (raw HTML is dropped); the only ids are the
  // footnotes', prefixed below so that none clobbers the page's and their links still work.
  clobberPrefix: '',
};

const ID_PREFIX = 'post-content-';

/**
 * Links leave for other sites without passing on our reputation or a window handle, and
 * a post's headings sit under the page's (h1 title, h2 per post): # becomes h3.
 */
function fitPostIntoPage() {
  return (tree: Root) => {
    visit(tree, 'element', (node: Element) => {
      if (node.tagName === 'a') node.properties = { ...node.properties, rel: ['nofollow', 'ugc', 'noopener'] };
      // remark-rehype leaves the footnote label's id (and the references to it) unprefixed.
      const prefixed = (v: string | number) => (String(v).startsWith(ID_PREFIX) ? String(v) : ID_PREFIX + v);
      const { id, ariaDescribedBy } = node.properties;
      if (typeof id === 'string') node.properties.id = prefixed(id);
      if (Array.isArray(ariaDescribedBy)) node.properties.ariaDescribedBy = ariaDescribedBy.map(prefixed);
      else if (typeof ariaDescribedBy === 'string') node.properties.ariaDescribedBy = [prefixed(ariaDescribedBy)];
      const level = /^h([1-6])$/.exec(node.tagName)?.[1];
      if (level) node.tagName = `h${Math.min(6, Number(level) + 2)}`;
    });
  };
}

const processor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  // No allowDangerousHtml: raw HTML in Markdown never becomes HTML.
  .use(remarkRehype, { clobberPrefix: ID_PREFIX })
  .use(rehypeSanitize, schema)
  .use(fitPostIntoPage)
  .use(rehypeStringify);

/**
 * How much structure a post may have. The parser's work grows faster than the text for
 * deeply nested quotes and lists (10,000 `> ` overflow the stack; 6,700 `1. ` took 50 s)
 * and for long runs of emphasis and strikethrough markers in one paragraph (10,000 `~a`
 * took 20 s), all within the 20,000 characters a post may have: found by fuzzing. Real
 * posts stay far inside these limits.
 */
export const MAX_NESTING = 10;
export const MAX_MARKERS_PER_PARAGRAPH = 500;

/** A quote or list marker at the start of what is left of a line. */
const CONTAINER_MARKER = /^[ \t]{0,3}(?:>[ \t]?|(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$))/;
const FENCE = /^[ \t]{0,3}(`{3,}|~{3,})/;
/** Characters that open or close inline markup (emphasis, strikethrough, code, links). */
const INLINE_MARKERS = /[*_~`[\]]/g;

/** Why this Markdown has too much structure to render, in a sentence for the member; null when it is fine. */
export function markdownProblem(raw: string): string | null {
  let fence: string | null = null;
  let markers = 0;
  for (const line of raw.split(/\r\n?|\n/)) {
    const opening = FENCE.exec(line)?.[1];
    if (fence) {
      // Code is not parsed for markup: only its closing fence matters.
      if (opening && opening[0] === fence[0] && opening.length >= fence.length) fence = null;
      continue;
    }
    if (opening) {
      fence = opening;
      continue;
    }
    let depth = Math.floor((/^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length) / 2);
    for (let rest = line, m = CONTAINER_MARKER.exec(rest); m && m[0].length > 0 && depth <= MAX_NESTING; m = CONTAINER_MARKER.exec(rest)) {
      depth++;
      rest = rest.slice(m[0].length);
    }
    if (depth > MAX_NESTING) return `Nest quotes and lists at most ${MAX_NESTING} levels deep`;
    if (line.trim() === '') markers = 0;
    else markers += line.match(INLINE_MARKERS)?.length ?? 0;
    if (markers > MAX_MARKERS_PER_PARAGRAPH) return `Use at most ${MAX_MARKERS_PER_PARAGRAPH} of the characters * _ ~ \` [ ] in one paragraph (leave a blank line between paragraphs, or put code in a code block)`;
  }
  return null;
}

/**
 * Markdown from a member → HTML safe to put in the page with set:html. Text with more
 * structure than markdownProblem allows (refused when posted, so only from elsewhere)
 * is shown as plain text rather than parsed.
 */
export function renderMarkdown(raw: string): string {
  if (markdownProblem(raw)) return plainText(raw);
  return String(processor.processSync(raw));
}

function plainText(raw: string): string {
  const escaped = raw.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<p>${escaped.replace(/\r\n?|\n/g, '<br>\n')}</p>`;
}
