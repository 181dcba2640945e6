import { getCollection, getEntry, type CollectionEntry } from 'astro:content';
import { isPublishedPublicly, type PublishContext } from './audience.ts';
import { orderSources, type CitedSource } from './cited-sources.ts';
import { recentFirst } from './order.ts';
import { collectionNames, type CollectionName, type StrategyAudience } from './taxonomy.ts';

export type LibraryEntry = CollectionEntry<'guides'> | CollectionEntry<'awareness'> | CollectionEntry<'news'>;

/**
 * When a page decides what is released. Only `astro dev` shows drafts and future
 * entries; every build is production. Prerendered pages are judged at build time.
 */
export function publishContext(): PublishContext {
  return { now: new Date(), production: !import.meta.env.DEV };
}

type Keep = (data: LibraryEntry['data']) => boolean;

/** The entries of one collection that `keep` accepts, recent work first (order.ts). */
export async function entriesOf<C extends CollectionName>(collection: C, keep: Keep): Promise<CollectionEntry<C>[]> {
  const entries = await getCollection(collection, (e: LibraryEntry) => keep(e.data));
  return (entries as CollectionEntry<C>[]).sort(recentFirst);
}

/** The entries of every collection that `keep` accepts, recent work first. */
export async function allEntries(keep: Keep): Promise<LibraryEntry[]> {
  const all = await Promise.all(collectionNames.map((c) => entriesOf(c, keep)));
  return (all.flat() as LibraryEntry[]).sort(recentFirst);
}

/** The entries of one collection that the public site may build, list and index, recent work first. */
export function getPublicEntries<C extends CollectionName>(collection: C): Promise<CollectionEntry<C>[]> {
  const ctx = publishContext();
  return entriesOf(collection, (data) => isPublishedPublicly(data, ctx));
}

/** The public awareness strategies, for one audience or all, recent work first. */
export async function getAwarenessStrategies(audience?: StrategyAudience): Promise<CollectionEntry<'awareness'>[]> {
  const entries = await getPublicEntries('awareness');
  return entries.filter((e) => e.data.strategy && (!audience || e.data.strategy.audience === audience));
}

/** Every public entry of the library, recent work first. */
export function getAllPublicEntries(): Promise<LibraryEntry[]> {
  const ctx = publishContext();
  return allEntries((data) => isPublishedPublicly(data, ctx));
}

/**
 * The records of the pages an entry cites, in the order its "Sources" section lists
 * them. An id missing from content/sources.yaml stops the build, naming the entry.
 */
export async function citedSources(entry: { collection: string; id: string; data: { sources: readonly string[] } }): Promise<CitedSource[]> {
  const sources = await Promise.all(
    entry.data.sources.map(async (id) => {
      const source = await getEntry('sources', id);
      if (!source) throw new Error(`${entry.collection}/${entry.id} cites the source "${id}", which content/sources.yaml does not have. Add it there, or correct the id.`);
      return { ...source.data, id };
    }),
  );
  return orderSources(sources);
}

// Public entries at /{collection}/{id}; members' entries at /members/{collection}/{id}.
export { entryUrl } from './urls.ts';
