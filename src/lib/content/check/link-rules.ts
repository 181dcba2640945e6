import { formatDate } from '#lib/content/dates.ts';
import { editedCollectionNames, topics } from '#lib/content/taxonomy.ts';
import { entryUrl } from '#lib/content/urls.ts';
import { lineOf, walk, type CheckedEntry } from './entries.ts';
import type { Finding } from './findings.ts';

/** Entries by "collection/id", as the site addresses them. */
export type EntryIndex = Map<string, CheckedEntry>;

// An entry's page (not its calendar file, /events/x.ics, nor a resource's download, /resources/x/file.pdf).
const ENTRY_PATH = new RegExp(`^/(members/)?(${editedCollectionNames.join('|')})/([^/.]+?)/?$`);
const SITE = 'https://site.invalid';

/**
 * Links between entries: to entries and headings that exist, never from a public page to
 * a members-only entry, members' entries at their /members/ address; links elsewhere over
 * https (or mailto:/tel:). Drafts and future entries count as "not there yet".
 */
export function linkFindings(entry: CheckedEntry, index: EntryIndex, now: Date): Finding[] {
  if (!entry.tree) return [];
  const findings: Finding[] = [];
  const add = (severity: Finding['severity'], rule: Finding['rule'], line: number | undefined, message: string) =>
    findings.push({ severity, rule, file: entry.path, line, message });
  const self = new URL(entryUrl({ collection: entry.file.collection, id: entry.id, data: entry.data }), SITE);
  const fromPublic = entry.data?.audience !== 'members';

  for (const node of walk(entry.tree)) {
    if (node.type !== 'link' && node.type !== 'definition') continue;
    const raw = node.url ?? '';
    const line = lineOf(node);
    if (/^(mailto|tel):/i.test(raw)) continue;
    if (/^http:/i.test(raw)) {
      add('warning', 'external-link', line, `${raw} is not https: use the https address if the site has one`);
      continue;
    }
    if (/^https:/i.test(raw)) continue;
    if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
      add('error', 'external-link', line, `${raw}: links may only be https:, mailto: or tel: addresses`);
      continue;
    }

    let url: URL;
    try {
      url = new URL(raw, self);
    } catch {
      add('error', 'internal-link', line, `${raw} is not a valid address`);
      continue;
    }
    const anchor = url.hash ? decodeURIComponent(url.hash.slice(1)) : '';
    if (url.pathname === self.pathname) {
      if (anchor && !entry.headings.some((h) => h.slug === anchor)) add('error', 'internal-link', line, `#${anchor}: this page has no heading with that id`);
      continue;
    }
    const topic = /^\/topics\/([^/]+)\/?$/.exec(url.pathname)?.[1];
    if (topic !== undefined) {
      if (!(topic in topics)) add('error', 'internal-link', line, `${raw}: there is no topic "${topic}"`);
      continue;
    }
    const match = ENTRY_PATH.exec(url.pathname);
    if (!match) continue; // other pages of the site (listings, search, about…) are not entries
    const [, membersPrefix, collection, id] = match;
    const target = index.get(`${collection}/${decodeURIComponent(id!)}`);
    if (!target) {
      add('error', 'internal-link', line, `${raw}: there is no ${collection} entry "${id}"`);
      continue;
    }
    const data = target.data;
    if (data?.draft) {
      add('error', 'internal-link', line, `${raw} is a draft, which is never published: the link would be broken`);
      continue;
    }
    if (data && data.published > now) add('warning', 'internal-link', line, `${raw} is not published until ${formatDate(data.published)}: the link is broken until then`);
    if (data?.audience === 'members') {
      if (fromPublic) {
        add('error', 'members-link', line, `${raw} is members-only: a public page must not link to it (visitors cannot open it, and its title would be public)`);
        continue;
      }
      if (!membersPrefix) add('error', 'internal-link', line, `${raw} is members-only: link to /members/${collection}/${id}`);
    }
    if (anchor && !target.headings.some((h) => h.slug === anchor)) add('error', 'internal-link', line, `${raw}: that page has no heading with the id "${anchor}"`);
  }
  return findings;
}
