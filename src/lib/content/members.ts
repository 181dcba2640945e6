import type { CollectionEntry } from 'astro:content';
import { isPublishedToMembers } from './audience.ts';
import { collectionNames, type CollectionName } from './taxonomy.ts';
import { allEntries, entriesOf, getAllPublicEntries, publishContext, type LibraryEntry } from './library.ts';

export function isCollectionName(value: string | undefined): value is CollectionName {
  return (collectionNames as string[]).includes(value ?? '');
}

/**
 * The released members-only entries of one collection, recent work first. Only for signed-in
 * members. Read on demand, so an entry dated in the future appears on its day (the
 * members' search index, built with the site, catches up at the next build).
 */
export function getMembersEntries<C extends CollectionName>(collection: C): Promise<CollectionEntry<C>[]> {
  const ctx = publishContext();
  return entriesOf(collection, (data) => isPublishedToMembers(data, ctx));
}

/** Every released members-only entry, recent work first. Only for signed-in members. */
export function getAllMembersEntries(): Promise<LibraryEntry[]> {
  const ctx = publishContext();
  return allEntries((data) => isPublishedToMembers(data, ctx));
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

/**
 * The entries a page may name for its reader: public entries, and members' entries too
 * when the page itself is a members' page (rendered on demand for a signed-in member).
 * A public page never names a members' entry.
 */
export async function entriesForReader(membersArea: boolean): Promise<LibraryEntry[]> {
  return membersArea ? [...(await getAllPublicEntries()), ...(await getAllMembersEntries())] : getAllPublicEntries();
}
