import { serialiseEntry } from './serialise.ts';
import { slugForTitle } from './slug.ts';
import { collectionSchemas } from './schemas.ts';
import type { CollectionName } from './taxonomy.ts';

/**
 * A new entry file for `npm run new`: valid against its collection's schema, dated today,
 * and a draft, so nothing half-written is published until an editor clears `draft`.
 */

export const entryKinds = { guide: 'guides', awareness: 'awareness', news: 'news' } as const satisfies Record<string, CollectionName>;
export type EntryKind = keyof typeof entryKinds;

const DEFAULT_OWNER = 'National Modern Slavery Network';
const firstTopic: Record<CollectionName, string> = { guides: 'multi-agency', awareness: 'awareness', news: 'network-news' };

const bodies: Record<CollectionName, string> = {
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
};

/** Today as a date without a time (UTC midnight), like a YAML date in frontmatter. */
function today(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export type NewEntry = { ok: true; collection: CollectionName; slug: string; text: string } | { ok: false; message: string };

export function newEntry(kind: string, title: string, now = new Date()): NewEntry {
  if (!(kind in entryKinds)) return { ok: false, message: `"${kind}" is not a kind of entry: use guide, awareness or news.` };
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
    ...(collection === 'news' ? {} : { reviewed: day, reviewDue: yearOn }),
    ...(collection === 'guides' ? { version: '1.0' } : {}),
    ...(collection === 'news' ? { kind: 'news' } : {}),
  };
  const schema = collectionSchemas[collection];
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, message: `The ${issue.path.join('.')} is not accepted: ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}.` };
  }
  if (!slug) return { ok: false, message: 'The title needs letters or numbers to make a file name from.' };
  return { ok: true, collection, slug, text: serialiseEntry(fields, Object.keys(schema.shape), bodies[collection]) };
}
