import { getCollection, type CollectionEntry } from 'astro:content';
import { isPublishedPublicly, type PublishContext } from './audience';
import { collectionNames, type CollectionName } from './taxonomy';

export type LibraryEntry = CollectionEntry<'guides'> | CollectionEntry<'awareness'> | CollectionEntry<'news'>;

/**
 * When a page decides what is released. Only `astro dev` shows drafts and future
 * entries; every build is production. Prerendered pages are judged at build time.
 */
export function publishContext(): PublishContext {
  return { now: new Date(), production: !import.meta.env.DEV };
}

type Keep = (data: LibraryEntry['data']) => boolean;
const newestFirst = (a: LibraryEntry, b: LibraryEntry) => b.data.published.getTime() - a.data.published.getTime();

/** The entries of one collection that `keep` accepts, newest first. */
export async function entriesOf<C extends CollectionName>(collection: C, keep: Keep): Promise<CollectionEntry<C>[]> {
  const entries = await getCollection(collection, (e: LibraryEntry) => keep(e.data));
  return (entries as CollectionEntry<C>[]).sort(newestFirst);
}

/** The entries of every collection that `keep` accepts, newest first. */
export async function allEntries(keep: Keep): Promise<LibraryEntry[]> {
  const all = await Promise.all(collectionNames.map((c) => entriesOf(c, keep)));
  return (all.flat() as LibraryEntry[]).sort(newestFirst);
}

/** The entries of one collection that the public site may build, list and index, newest first. */
export function getPublicEntries<C extends CollectionName>(collection: C): Promise<CollectionEntry<C>[]> {
  const ctx = publishContext();
  return entriesOf(collection, (data) => isPublishedPublicly(data, ctx));
}

/** Every public entry of the library, newest first. */
export function getAllPublicEntries(): Promise<LibraryEntry[]> {
  const ctx = publishContext();
  return allEntries((data) => isPublishedPublicly(data, ctx));
}

// Public entries at /{collection}/{id}; members' entries at /members/{collection}/{id}.
export { entryUrl } from './urls';
