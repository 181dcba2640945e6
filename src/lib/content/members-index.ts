import { isPublishedToMembers, type PublishContext } from './audience.ts';
import { MEMBERS_SOURCE } from './search-sources.ts';
import { parseSource, type SourceFile } from './sources.ts';
import { collections, newsKinds, regions, topics } from './taxonomy.ts';
import { eventSpan } from '#lib/events/when.ts';
import { eventDatesInWords } from '#lib/events/words.ts';

export { entryIdFromPath } from './entry-ids.ts';
export type { SourceFile } from './sources.ts';

/**
 * The members' search index is built from the MDX sources, not from rendered pages:
 * members' entries are never prerendered, so there is no HTML to index (decision 006).
 * Everything here is pure, so the build hook and the unit tests share it.
 */

/** One record for Pagefind's `addCustomRecord`. */
export interface MembersIndexRecord {
  url: string;
  content: string;
  language: 'en';
  /** `source` labels the result in the merged list (the public index has none). */
  meta: { title: string; type: string; source: string };
  filters: { type: string[]; topic: string[]; region: string[]; source: string[] };
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…' };

/**
 * Plain text from an MDX body, for search: ESM, JSX, comments, code fences and Markdown
 * syntax go; link, image and emphasis text stays. Headings end a sentence so excerpts read well.
 */
export function mdxToText(body: string): string {
  let text = body.replace(/\r\n?/g, '\n');
  text = text
    // ESM import/export statements (one line each in our content).
    .replace(/^(?:import|export)\s.*$/gm, '')
    // HTML and MDX comments.
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, '')
    // Code fences: keep the code, drop the fence lines.
    .replace(/^[ \t]*(?:```|~~~).*$/gm, '')
    // Reference-style link definitions.
    .replace(/^[ \t]{0,3}\[[^\]\n]+\]:[ \t]+\S.*$/gm, '')
    // Autolinks keep their address; other tags (HTML or JSX) go, their children stay.
    .replace(/<((?:https?|mailto):[^<>\s]+)>/g, '$1')
    .replace(/<\/?[A-Za-z][^<>]*>/g, ' ')
    // MDX expressions such as {props.x} or {' '}.
    .replace(/\{[^{}\n]*\}/g, ' ')
    // Images and links keep their text.
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/!\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    // Headings: drop the marks and end the sentence.
    .replace(/^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$/gm, (_, heading: string) => (/[.!?:]$/.test(heading) ? heading : `${heading}.`))
    // Setext heading underlines and thematic breaks.
    .replace(/^[ \t]{0,3}(?:[-*_=][ \t]*){3,}$/gm, '')
    // Table delimiter rows, then cell separators.
    .replace(/^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/gm, '')
    .replace(/^[ \t]*\|/gm, '')
    .replace(/\|[ \t]*$/gm, '')
    .replace(/[ \t]*\|[ \t]*/g, ' ')
    // Block quotes and list markers.
    .replace(/^[ \t]*>[ \t]?/gm, '')
    .replace(/^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(?:\[[ xX]\][ \t]+)?/gm, '')
    // Emphasis, strike-through and inline code.
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, '$1$2')
    .replace(/(^|[^\w])_(?=\S)([^_\n]*?\S)_(?!\w)/g, '$1$2')
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1')
    .replace(/`+([^`]+?)`+/g, '$1')
    // Backslash escapes and character references.
    .replace(/\\([\\`*_{}[\]()#+\-.!<>|~])/g, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
      if (ref[0] === '#') {
        const code = ref[1]?.toLowerCase() === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
      }
      return entities[ref.toLowerCase()] ?? whole;
    });
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
}

/**
 * The record for one source file, or null when the file is not a released
 * members-only entry. Frontmatter is checked with the collections' own schemas, so an
 * entry the site would reject is never indexed; the build has already failed on it anyway.
 */
export function membersIndexRecord(file: SourceFile, ctx: PublishContext): MembersIndexRecord | null {
  const parsed = parseSource(file);
  if (!parsed.ok) throw new Error(parsed.error);
  const { data, id, body } = parsed;
  if (!isPublishedToMembers(data, ctx)) return null;
  const text = mdxToText(body);
  const filters = (type: string) => ({
    type: [type],
    topic: data.topics.map((t) => topics[t]),
    region: data.regions.map((r) => regions[r]),
    source: [MEMBERS_SOURCE],
  });
  // Like the public pages' indexed article: the heading, the lead, then the text.
  const record = (url: string, type: string, typeLabel: string, lines: string[]): MembersIndexRecord => ({
    url,
    content: [`${data.title}.`, data.summary, ...lines, text].join('\n'),
    language: 'en',
    meta: { title: data.title, type: typeLabel, source: MEMBERS_SOURCE },
    filters: filters(type),
  });
  switch (parsed.collection) {
    case 'resources':
      return record(`/members/resources/${id}`, 'Resource', 'Resource', []);
    case 'events':
      return record(`/members/events/${id}`, 'Event', 'Event', [`${eventDatesInWords(eventSpan(parsed.data))}.`, `${parsed.data.location}.`]);
    default: {
      const section = collections[parsed.collection];
      const typeLabel = parsed.collection === 'news' && 'kind' in data ? newsKinds[data.kind as keyof typeof newsKinds] : section.singular;
      return record(`/members/${parsed.collection}/${id}`, section.singular, typeLabel, []);
    }
  }
}

/** Records for every released members-only entry among the files, in a stable order. */
export function membersIndexRecords(files: readonly SourceFile[], ctx: PublishContext): MembersIndexRecord[] {
  return files
    .map((f) => membersIndexRecord(f, ctx))
    .filter((r): r is MembersIndexRecord => r !== null)
    .sort((a, b) => a.url.localeCompare(b.url));
}
