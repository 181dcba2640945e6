export interface Relatable {
  id: string;
  collection: string;
  data: { topics: readonly string[]; published: Date };
}

/**
 * Entries that share topics with `entry`, most shared topics first, then newest.
 * Pure, so listing pages and tests use the same rule.
 */
export function relatedEntries<T extends Relatable>(entry: Relatable, candidates: readonly T[], limit = 4): T[] {
  const topics = new Set(entry.data.topics);
  return candidates
    .filter((c) => !(c.id === entry.id && c.collection === entry.collection))
    .map((c) => ({ c, shared: c.data.topics.filter((t) => topics.has(t)).length }))
    .filter(({ shared }) => shared > 0)
    .sort((a, b) => b.shared - a.shared || b.c.data.published.getTime() - a.c.data.published.getTime())
    .slice(0, limit)
    .map(({ c }) => c);
}
