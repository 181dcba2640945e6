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
  // Ids and names get a prefix so a post cannot clobber the page's own ids.
  clobberPrefix: 'post-content-',
};

/**
 * Links leave for other sites without passing on our reputation or a window handle, and
 * a post's headings sit under the page's (h1 title, h2 per post): # becomes h3.
 */
function fitPostIntoPage() {
  return (tree: Root) => {
    visit(tree, 'element', (node: Element) => {
      if (node.tagName === 'a') node.properties = { ...node.properties, rel: ['nofollow', 'ugc', 'noopener'] };
      const level = /^h([1-6])$/.exec(node.tagName)?.[1];
      if (level) node.tagName = `h${Math.min(6, Number(level) + 2)}`;
    });
  };
}

const processor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkRehype) // no allowDangerousHtml: raw HTML in Markdown never becomes HTML
  .use(rehypeSanitize, schema)
  .use(fitPostIntoPage)
  .use(rehypeStringify);

/** Markdown from a member → HTML safe to put in the page with set:html. */
export function renderMarkdown(raw: string): string {
  return String(processor.processSync(raw));
}
