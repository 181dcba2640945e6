import { posix } from 'node:path';
import GithubSlugger from 'github-slugger';
import { defaultSchema, sanitize, type Schema } from 'hast-util-sanitize';
import { toHtml } from 'hast-util-to-html';
import { mdxToHast } from 'satteri';
import type { Element, Nodes, Root } from 'hast';

/**
 * The body of an entry as the built page shows it, for the editors' preview of text
 * that is saved but not published. The build compiles MDX with satteri (Astro's
 * Markdown engine) with GFM and smart punctuation; the preview reads the same text with
 * the same engine and features, gives headings the ids the build gives them, points
 * images at the editors-only preview image route, and keeps only plain HTML: code in
 * MDX (refused by the content checks anyway) never runs here.
 */

export interface PreviewHeading {
  depth: number;
  slug: string;
  text: string;
}

const schema: Schema = {
  ...defaultSchema,
  // Headings keep the ids the build would give them, without a clobber prefix.
  clobberPrefix: '',
  clobber: [],
  attributes: { ...defaultSchema.attributes, '*': [...(defaultSchema.attributes?.['*'] ?? []), 'id'] },
  protocols: { ...defaultSchema.protocols, href: ['https', 'http', 'mailto', 'tel'] },
};

function textOf(node: Nodes): string {
  if (node.type === 'text') return node.value;
  return 'children' in node ? (node.children as Nodes[]).map(textOf).join('') : '';
}

function safeDecode(uri: string): string {
  try {
    return decodeURI(uri);
  } catch {
    return uri;
  }
}

function visitElements(node: Nodes, visit: (el: Element) => void) {
  if (node.type === 'element') visit(node);
  if ('children' in node) for (const child of node.children as Nodes[]) visitElements(child, visit);
}

/**
 * `entryPath` is the entry's path in the content folder ("guides/x.mdx"): relative image
 * addresses resolve from its folder, as the build resolves them.
 */
export function renderPreviewBody(source: string, entryPath: string): { html: string; headings: PreviewHeading[] } {
  const tree = mdxToHast(source, { features: { gfm: true, smartPunctuation: true }, position: false }) as unknown as Root;
  const slugger = new GithubSlugger();
  const headings: PreviewHeading[] = [];
  visitElements(tree, (el) => {
    const depth = /^h([1-6])$/.exec(el.tagName)?.[1];
    if (depth) {
      const text = textOf(el);
      const slug = slugger.slug(text);
      el.properties = { ...el.properties, id: slug };
      headings.push({ depth: Number(depth), slug, text });
    }
    // Images stored with the content are not on the site until published: show them through the editors' route.
    const src = el.tagName === 'img' ? el.properties?.src : undefined;
    if (typeof src === 'string' && !src.startsWith('/') && !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(src)) {
      const path = posix.normalize(posix.join(posix.dirname(entryPath), safeDecode(src)));
      el.properties.src = path.startsWith('..') ? '' : `/editor/preview-image/${path.split('/').map(encodeURIComponent).join('/')}`;
    }
  });
  return { html: toHtml(sanitize(tree, schema)), headings };
}
