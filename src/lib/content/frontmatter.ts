import yaml from 'js-yaml';

/**
 * Frontmatter read the way Astro reads it (js-yaml between `---` lines at the top of the
 * file), keeping the line of each key so a message can point at it.
 */
export type ParsedFrontmatter =
  | {
      ok: true;
      data: Record<string, unknown>;
      /** 1-based line of each top-level key in the file. */
      keyLines: Map<string, number>;
      /** 1-based line of the closing `---`; the body starts after it. */
      endLine: number;
    }
  | { ok: false; line: number; message: string };

// The same pattern as Astro's own frontmatter reader (@astrojs/internal-helpers).
const FRONTMATTER = /(?:^\uFEFF?|^\s*\n)---([\s\S]*?\n)---/;

export function parseFrontmatter(source: string): ParsedFrontmatter {
  const match = FRONTMATTER.exec(source);
  if (!match) return { ok: false, line: 1, message: 'the file must start with frontmatter between two `---` lines' };
  const raw = match[1]!;
  // Lines before the opening `---` (blank ones are allowed), then the opening line itself.
  const openLine = source.slice(0, match.index + match[0].indexOf('---')).split('\n').length;
  let data: unknown;
  try {
    data = yaml.load(raw);
  } catch (error) {
    const e = error as { mark?: { line: number }; reason?: string; message: string };
    return { ok: false, line: openLine + (e.mark?.line ?? 0), message: `the frontmatter is not valid YAML: ${e.reason ?? e.message}` };
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) return { ok: false, line: openLine, message: 'the frontmatter must be a list of `key: value` lines' };
  const keyLines = new Map<string, number>();
  raw.split('\n').forEach((text, i) => {
    const key = /^([A-Za-z_][\w-]*)\s*:/.exec(text)?.[1];
    if (key && !keyLines.has(key)) keyLines.set(key, openLine + i);
  });
  return { ok: true, data: data as Record<string, unknown>, keyLines, endLine: openLine + raw.split('\n').length };
}
