import { closeSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { imageProblem } from '#lib/content/images.ts';
import { lineOf, walk, type CheckedEntry } from './entries.ts';
import type { Finding } from './findings.ts';

/** Errors: MDX the build cannot read. */
export function syntaxErrors(entry: CheckedEntry): Finding[] {
  if (!entry.syntaxError) return [];
  return [{ severity: 'error', rule: 'mdx-syntax', file: entry.path, line: entry.syntaxError.line, message: `the text cannot be read as MDX: ${entry.syntaxError.message}. Write {, }, < and > only inside \`code\`.` }];
}

const codeNodes: Record<string, string> = {
  mdxjsEsm: 'an import or export line',
  mdxFlowExpression: 'a {…} expression',
  mdxTextExpression: 'a {…} expression',
  mdxJsxFlowElement: 'an HTML or component tag',
  mdxJsxTextElement: 'an HTML or component tag',
};

/**
 * Errors: MDX that would run code when the site is built. The build executes an entry's
 * imports, expressions and components on the server, so text edited in the browser may
 * hold only Markdown: anything else would let an editor's account run programs.
 */
export function codeErrors(entry: CheckedEntry): Finding[] {
  if (!entry.tree) return [];
  return [...walk(entry.tree)]
    .filter((node) => node.type in codeNodes)
    .map((node) => ({
      severity: 'error' as const,
      rule: 'mdx-code' as const,
      file: entry.path,
      line: lineOf(node),
      message: `${codeNodes[node.type]}${node.name ? ` (<${node.name}>)` : ''}: entries hold Markdown only, no code. Write {, }, < and > inside \`code\`, or describe it in words.`,
    }));
}

/** Errors: a `#` heading (the page prints the title as its only h1) or a level skipped on the way down. */
export function headingErrors(entry: CheckedEntry): Finding[] {
  const findings: Finding[] = [];
  let previous = 1; // the page's title
  for (const h of entry.headings) {
    if (h.depth === 1) {
      findings.push({ severity: 'error', rule: 'heading', file: entry.path, line: h.line, message: `"# ${h.text}" is a top-level heading: the page already shows the title as one. Use ## for sections.` });
    } else if (h.depth > previous + 1) {
      findings.push({
        severity: 'error',
        rule: 'heading',
        file: entry.path,
        line: h.line,
        message: `"${'#'.repeat(h.depth)} ${h.text}" skips a level after ${'#'.repeat(previous)}: use ${'#'.repeat(previous + 1)} (screen readers navigate by heading level).`,
      });
    }
    previous = Math.max(h.depth, 1);
  }
  return findings;
}

export interface ImageContext {
  contentDir: string;
  /** The site's public/ folder, for images given as /path. */
  publicDir: string;
}

/** Errors: images without alt text, from elsewhere, missing, outside the content, or not an accepted raster image. */
export function imageErrors(entry: CheckedEntry, ctx: ImageContext): Finding[] {
  if (!entry.tree) return [];
  const findings: Finding[] = [];
  const error = (line: number | undefined, message: string) => findings.push({ severity: 'error', rule: 'image', file: entry.path, line, message });
  for (const node of walk(entry.tree)) {
    if (node.type !== 'image') continue;
    const line = lineOf(node);
    const url = node.url ?? '';
    if (!node.alt?.trim()) error(line, `image ${url} has no alt text: describe what it shows for people who cannot see it`);
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//')) {
      error(line, `image ${url} is loaded from elsewhere: upload it with the entry instead (the site loads nothing from other hosts)`);
      continue;
    }
    let path: string;
    let root: string;
    try {
      const decoded = decodeURI(url.split(/[?#]/)[0]!);
      root = decoded.startsWith('/') ? ctx.publicDir : ctx.contentDir;
      path = decoded.startsWith('/') ? join(ctx.publicDir, decoded) : resolve(dirname(join(ctx.contentDir, entry.path)), decoded);
    } catch {
      error(line, `image address ${url} is not a valid address`);
      continue;
    }
    const inside = relative(root, path);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      error(line, `image ${url} points outside the ${root === ctx.publicDir ? 'public' : 'content'} folder`);
      continue;
    }
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile()) {
      error(line, `image ${url} does not exist (looked for ${relative(resolve(ctx.contentDir, '..'), path)})`);
      continue;
    }
    // A symbolic link could make the build copy a file from anywhere on the server.
    const real = relative(realpathSync(root), realpathSync(path));
    if (real.startsWith('..') || isAbsolute(real)) {
      error(line, `image ${url} is a link to a file outside the ${root === ctx.publicDir ? 'public' : 'content'} folder`);
      continue;
    }
    const problem = imageProblem(path.split('/').pop()!, stat.size, readHead(path, stat));
    if (problem) error(line, problem);
  }
  return findings;
}

function readHead(path: string, stat: Stats): Uint8Array {
  const head = new Uint8Array(Math.min(16, stat.size));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head;
}
