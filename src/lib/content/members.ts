import { getCollection, type CollectionEntry } from 'astro:content';
import { isPublishedToMembers, type PublishContext } from './audience';
import { collectionNames, type CollectionName } from './taxonomy';
import type { LibraryEntry } from './library';

/**
 * Members' entries are read on demand, so the clock is the request's: an entry dated in
 * the future appears in the members' area on its day (the members' search index, built
 * with the site, catches up at the next build). Drafts only ever show in `astro dev`.
 */
function membersContext(): PublishContext {
  return { now: new Date(), production: !import.meta.env.DEV };
}

const newestFirst = (a: LibraryEntry, b: LibraryEntry) => b.data.published.getTime() - a.data.published.getTime();

export function isCollectionName(value: string | undefined): value is CollectionName {
  return (collectionNames as string[]).includes(value ?? '');
}

/** The released members-only entries of one collection, newest first. Only for signed-in members. */
export async function getMembersEntries<C extends CollectionName>(collection: C): Promise<CollectionEntry<C>[]> {
  const ctx = membersContext();
  const entries = await getCollection(collection, (e: LibraryEntry) => isPublishedToMembers(e.data, ctx));
  return (entries as CollectionEntry<C>[]).sort(newestFirst);
}

/** Every released members-only entry, newest first. Only for signed-in members. */
export async function getAllMembersEntries(): Promise<LibraryEntry[]> {
  const all = await Promise.all(collectionNames.map((c) => getMembersEntries(c)));
  return (all.flat() as LibraryEntry[]).sort(newestFirst);
}

/** One released members-only entry, or undefined (unknown, public, draft or not yet published). */
export async function getMembersEntry(collection: string | undefined, id: string | undefined): Promise<LibraryEntry | undefined> {
  if (!isCollectionName(collection) || !id) return undefined;
  const entries: LibraryEntry[] = await getMembersEntries(collection);
  return entries.find((e) => e.id === id);
}

/**
 * How many members-only entries a collection has. Public listings may say this number
 * (never titles or links to the entries) to invite members to sign in.
 */
export async function countMembersEntries(collection: CollectionName): Promise<number> {
  return (await getMembersEntries(collection)).length;
}
