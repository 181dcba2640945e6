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

/** Markdown from a member → HTML safe to put in the page with set:html. */
export function renderMarkdown(raw: string): string {
  return String(processor.processSync(raw));
}
