/**
 * The entry id Astro's glob loader gives a file: the frontmatter `slug` if set, else the
 * path without its extension, each segment slugged like github-slugger, a trailing
 * /index dropped.
 */
export function entryIdFromPath(relPath: string, slug?: unknown): string {
  if (slug !== undefined && slug !== null && slug !== '') return String(slug);
  return relPath
    .replace(/\.[^./]+$/, '')
    .split('/')
    .map((segment) => segment.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-'))
    .join('/')
    .replace(/\/index$/, '');
}
