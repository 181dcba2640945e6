import type { ParsedSource } from './sources.ts';

/**
 * Entries name other entries by slug: a guide its `resources`, a report its `event`, a
 * resource the older one it `replaces`. Each name must be an entry of that collection
 * (whatever its audience or draft state: pages only show what the reader may see).
 * Returns one message per broken name, saying the file and the field; entries whose
 * frontmatter is invalid are skipped here (the content layer reports those).
 */
export function brokenLinks(sources: readonly (ParsedSource & { relPath: string })[]): string[] {
  const ids = (collection: string) => new Set(sources.flatMap((s) => (s.ok && s.collection === collection ? [s.id] : [])));
  const resources = ids('resources');
  const events = ids('events');
  const problems: string[] = [];
  const check = (s: { collection: string; relPath: string }, field: string, slug: string, known: Set<string>, folder: string) => {
    if (!known.has(slug)) problems.push(`${s.collection}/${s.relPath}: ${field}: there is no entry "${slug}" in content/${folder} (write its file name without .mdx)`);
  };
  for (const s of sources) {
    if (!s.ok) continue;
    if (s.collection === 'guides') s.data.resources.forEach((slug, i) => check(s, `resources.${i}`, slug, resources, 'resources'));
    if (s.collection === 'news' && s.data.event) check(s, 'event', s.data.event, events, 'events');
    if (s.collection === 'resources' && s.data.replaces) {
      if (s.data.replaces === s.id) problems.push(`resources/${s.relPath}: replaces: a resource cannot replace itself`);
      else check(s, 'replaces', s.data.replaces, resources, 'resources');
    }
  }
  return problems;
}
