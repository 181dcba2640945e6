import { getCollection, type CollectionEntry } from 'astro:content';
import { isPublishedPublicly, type PublishContext } from './audience';
import type { CollectionName } from './taxonomy';

export type LibraryEntry = CollectionEntry<'guides'> | CollectionEntry<'awareness'> | CollectionEntry<'news'>;

/** Evaluated once per build: the build's clock decides what is released. */
// Only `astro dev` shows drafts and future entries; every build is treated as production.
const publishContext: PublishContext = { now: new Date(), production: !import.meta.env.DEV };

const newestFirst = (a: LibraryEntry, b: LibraryEntry) => b.data.published.getTime() - a.data.published.getTime();

/** The entries of one collection that the public site may build, list and index, newest first. */
export async function getPublicEntries<C extends CollectionName>(collection: C): Promise<CollectionEntry<C>[]> {
  const entries = await getCollection(collection, (e: LibraryEntry) => isPublishedPublicly(e.data, publishContext));
  return (entries as CollectionEntry<C>[]).sort(newestFirst);
}

/** Every public entry of the library, newest first. */
export async function getAllPublicEntries(): Promise<LibraryEntry[]> {
  const [guides, awareness, news] = await Promise.all([
    getPublicEntries('guides'),
    getPublicEntries('awareness'),
    getPublicEntries('news'),
  ]);
  return [...guides, ...awareness, ...news].sort(newestFirst);
}

// Public entries at /{collection}/{id}; members' entries at /members/{collection}/{id}.
export { entryUrl } from './urls';
