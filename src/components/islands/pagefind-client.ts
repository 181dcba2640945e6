/** The parts of Pagefind's browser API (pagefind.js, built into /pagefind/) the search island uses. */
export interface PagefindResultData {
  url: string;
  excerpt: string;
  meta: { title?: string; type?: string };
}
export interface PagefindApi {
  options(o: { baseUrl?: string; excerptLength?: number }): Promise<void>;
  init(): Promise<void>;
  filters(): Promise<Record<string, Record<string, number>>>;
  search(
    query: string | null,
    o?: { filters?: Record<string, { any: string[] }> },
  ): Promise<{ results: { id: string; data(): Promise<PagefindResultData> }[] } | null>;
}

let loading: Promise<PagefindApi> | undefined;

/** Loads the public index's client once; the URL is built at run time so Vite leaves it alone. */
export function loadPagefind(bundlePath = '/pagefind/'): Promise<PagefindApi> {
  loading ??= (async () => {
    const api = (await import(/* @vite-ignore */ `${bundlePath}pagefind.js`)) as PagefindApi;
    await api.options({ baseUrl: '/', excerptLength: 30 });
    await api.init();
    return api;
  })();
  return loading;
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
