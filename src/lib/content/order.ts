/** What the listings' order reads from an entry. */
export interface Dated {
  data: { title: string; published: Date; updated?: Date };
}

/** The day an entry last changed in substance: `updated` when set, else `published`. */
export function lastChanged(data: Dated['data']): Date {
  return data.updated ?? data.published;
}

/**
 * Recent work first: the entry changed most recently leads, so a corrected or reviewed
 * entry rises with new ones; then the newer publication; then the title, so the order
 * never depends on the order files were read.
 */
export function recentFirst(a: Dated, b: Dated): number {
  return (
    lastChanged(b.data).getTime() - lastChanged(a.data).getTime() ||
    b.data.published.getTime() - a.data.published.getTime() ||
    a.data.title.localeCompare(b.data.title, 'en-GB')
  );
}
