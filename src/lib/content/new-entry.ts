import { serialiseEntry } from './serialise.ts';
import { slugForTitle } from './slug.ts';
import { editedSchemas } from './schemas.ts';
import type { EditedCollectionName } from './taxonomy.ts';

/**
 * A new entry file for `npm run new`: valid against its collection's schema, dated today,
 * a draft (so nothing half-written is published until an editor clears `draft`), and
 * written exactly as the browser editor would save it.
 */

export const entryKinds = { guide: 'guides', awareness: 'awareness', news: 'news', resource: 'resources', event: 'events' } as const satisfies Record<
  string,
  EditedCollectionName
>;
export type EntryKind = keyof typeof entryKinds;

const DEFAULT_OWNER = 'National Modern Slavery Network';
const firstTopic: Record<EditedCollectionName, string> = { guides: 'multi-agency', awareness: 'awareness', news: 'network-news', resources: 'multi-agency', events: 'multi-agency' };

const bodies: Record<EditedCollectionName, string> = {
  guides: `Say who this guide is for and what it helps them do.

## What to do first

Write the steps in the order a reader takes them.

## Sources

List each source with a link to its exact page and the date you checked it.
`,
  awareness: `Say in plain words what a reader should know or do.

## What to do

Give the first step, and who to contact.

## Sources

List each source with a link to its exact page and the date you checked it.
`,
  news: `Say what happened, when and where, and why it matters to members of the network.

## Sources

List each source with a link to its exact page and the date you checked it.
`,
  resources: `Say who the file is for, what it helps them do, and when to use it.

## What it covers

List the parts of the file in the order a reader finds them.
`,
  events: `Say who the event is for, what it will cover and how to take part.

Give the date and the place only from a source, and name the source; until then, leave start and end out, and the page says the date is to be confirmed.
`,
};

/** Today as a date without a time (UTC midnight), like a YAML date in frontmatter. */
function today(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export type NewEntry = { ok: true; collection: EditedCollectionName; slug: string; text: string } | { ok: false; message: string };

/**
 * `fileExtension`: for a resource, the extension of its file (e.g. "pdf"); the entry names
 * it as the browser editor does, ./<entry>/file.<ext>, and the caller puts the file there.
 */
export function newEntry(kind: string, title: string, now = new Date(), options: { fileExtension?: string } = {}): NewEntry {
  if (!(kind in entryKinds)) return { ok: false, message: `"${kind}" is not a kind of entry: use ${Object.keys(entryKinds).join(', ')}.` };
  const collection = entryKinds[kind as EntryKind];
  const slug = slugForTitle(title);
  const day = today(now);
  const yearOn = new Date(Date.UTC(day.getUTCFullYear() + 1, day.getUTCMonth(), day.getUTCDate()));
  const fields: Record<string, unknown> = {
    title: title.trim(),
    summary: 'Replace this with one or two sentences saying what the page is for.',
    published: day,
    audience: 'public',
    topics: [firstTopic[collection]],
    regions: ['national'],
    owner: DEFAULT_OWNER,
    draft: true,
    // What the browser editor writes for fields left as they are: an empty list, a switch off.
    sources: [],
    ...(collection === 'guides' || collection === 'awareness' ? { reviewed: day, reviewDue: yearOn } : {}),
    ...(collection === 'guides' ? { version: '1.0', resources: [] } : {}),
    ...(collection === 'awareness' ? { strategy: { discriminant: false } } : {}),
    ...(collection === 'news' ? { kind: 'news' } : {}),
    ...(collection === 'resources' ? { file: `./${slug}/file.${(options.fileExtension ?? '').toLowerCase()}` } : {}),
    ...(collection === 'events' ? { location: 'To be confirmed', organiser: DEFAULT_OWNER, status: 'scheduled' } : {}),
  };
  if (collection === 'resources' && !options.fileExtension) return { ok: false, message: 'A resource needs its file: npm run new -- resource "Title" path/to/file.pdf' };
  const schema = editedSchemas[collection];
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, message: `The ${issue.path.join('.')} is not accepted: ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}.` };
  }
  if (!slug) return { ok: false, message: 'The title needs letters or numbers to make a file name from.' };
  return { ok: true, collection, slug, text: serialiseEntry(fields, Object.keys(schema.shape), bodies[collection]) };
}
