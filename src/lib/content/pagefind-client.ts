/** The parts of Pagefind's browser API (pagefind.js of a bundle such as /pagefind/) the search island uses. */
export interface PagefindResultData {
  url: string;
  excerpt: string;
  /** `source` is set on records of the members' index only. */
  meta: { title?: string; type?: string; source?: string };
}
export interface PagefindApi {
  options(o: { baseUrl?: string; excerptLength?: number }): Promise<void>;
  mergeIndex(
    indexPath: string,
    o?: { baseUrl?: string; mergeFilter?: Record<string, string>; language?: string },
  ): Promise<void>;
  init(): Promise<void>;
  filters(): Promise<Record<string, Record<string, number>>>;
  search(
    query: string | null,
    o?: { filters?: Record<string, { any: string[] }> },
  ): Promise<{ results: { id: string; data(): Promise<PagefindResultData> }[] } | null>;
}

/** Another Pagefind bundle searched together with the main one, its results tagged with a filter. */
export interface MergedIndex {
  /** Where the other bundle's pagefind.js lives, e.g. '/pagefind/'. */
  bundlePath: string;
  /** Filters given to every result of that bundle, e.g. { source: 'Public library' }. */
  mergeFilter?: Record<string, string>;
}

const loading = new Map<string, Promise<PagefindApi>>();

/**
 * Loads a bundle's client once (per bundle and merge set). The URL is built at run time
 * so Vite leaves it alone; pagefind.js then fetches its worker, wasm and chunks relative
 * to that URL, so a protected bundle's requests all pass its route's sign-in check.
 * Result URLs in our indexes are root-relative, so baseUrl is '/' for every bundle
 * (Pagefind would otherwise prefix the bundle's parent folder, e.g. /members/members/…).
 */
export function loadPagefind(bundlePath = '/pagefind/', merge: readonly MergedIndex[] = []): Promise<PagefindApi> {
  const key = JSON.stringify([bundlePath, merge]);
  let api = loading.get(key);
  if (!api) {
    api = (async () => {
      const pf = (await import(/* @vite-ignore */ `${bundlePath}pagefind.js`)) as PagefindApi;
      await pf.options({ baseUrl: '/', excerptLength: 30 });
      for (const m of merge) await pf.mergeIndex(m.bundlePath, { baseUrl: '/', mergeFilter: m.mergeFilter });
      await pf.init();
      return pf;
    })();
    // A failed load (e.g. signed out meanwhile) may be retried by the next caller.
    api.catch(() => loading.delete(key));
    loading.set(key, api);
  }
  return api;
}

/**
 * Pagefind excerpts are escaped text with <mark> around matches. Split them into plain
 * text parts so React renders them as text: no HTML from the index reaches the DOM.
 */
export function excerptParts(excerpt: string): { text: string; marked: boolean }[] {
  return excerpt
    .split(/(<mark>.*?<\/mark>)/g)
    .filter(Boolean)
    .map((piece) => {
      const marked = piece.startsWith('<mark>');
      return { text: decodeEntities(marked ? piece.slice(6, -7) : piece), marked };
    });
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&');
}
