import { useEffect, useId, useMemo, useRef, useState, type SubmitEvent } from 'react';
import { renderedByReact } from './react-island.ts';
import { excerptParts, loadPagefind, type MergedIndex, type PagefindApi, type PagefindResultData } from '#lib/content/pagefind-client.ts';

/** A group of checkboxes filtering on one Pagefind filter (a data-pagefind-filter name or a merge filter). */
export interface FilterGroup {
  key: string;
  legend: string;
  /** Values always offered, in this order; otherwise the values the index reports, sorted. */
  values?: readonly string[];
}

export interface Link {
  href: string;
  label: string;
}

export interface LibrarySearchProps {
  /** Where the form submits (GET), so the search works from a plain link or the header box. */
  action?: string;
  /** The search box's label. */
  label?: string;
  /** The main Pagefind bundle: the public one, or the members' one behind sign-in. */
  bundlePath?: string;
  /** Other bundles searched together with the main one into one ranked list. */
  mergeIndexes?: readonly MergedIndex[];
  /** Filter groups shown before type, topic and region (e.g. the members' search's source). */
  extraFilters?: readonly FilterGroup[];
  /** Listings offered when there is no JavaScript or nothing matched. */
  browseLinks?: readonly Link[];
}

/** Filters every library search offers, in the order shown; keys match data-pagefind-filter names. */
const libraryFilters: readonly FilterGroup[] = [
  { key: 'type', legend: 'Type' },
  { key: 'topic', legend: 'Topic' },
  { key: 'region', legend: 'Region' },
];

const publicListings: readonly Link[] = [
  { href: '/guides', label: 'Practice guides' },
  { href: '/awareness', label: 'Awareness pages' },
  { href: '/news', label: 'News and workshop reports' },
  { href: '/resources', label: 'Resources to download' },
];

type Selected = Record<string, string[]>;

const RESULTS_SHOWN = 20;

type State =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'done'; results: PagefindResultData[]; total: number }
  | { status: 'error' };

function readUrl(groups: readonly FilterGroup[]): { query: string; selected: Selected } {
  const params = new URLSearchParams(window.location.search);
  return {
    query: params.get('q') ?? '',
    selected: Object.fromEntries(groups.map(({ key }) => [key, params.getAll(key)])),
  };
}

function writeUrl(groups: readonly FilterGroup[], query: string, selected: Selected) {
  const params = new URLSearchParams();
  if (query) params.set('q', query);
  for (const { key } of groups) for (const v of selected[key] ?? []) params.append(key, v);
  const qs = params.toString();
  window.history.replaceState(null, '', qs ? `?${qs}` : window.location.pathname);
}

export default function LibrarySearch({
  action = '/search',
  label = 'Search guides, awareness pages, news and resources',
  bundlePath = '/pagefind/',
  mergeIndexes = [],
  extraFilters = [],
  browseLinks = publicListings,
}: LibrarySearchProps) {
  const id = useId();
  const groups = useMemo(() => [...extraFilters, ...libraryFilters], [extraFilters]);
  const [api, setApi] = useState<PagefindApi>();
  const [available, setAvailable] = useState<Record<string, Record<string, number>>>({});
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<Selected>({});
  const [state, setState] = useState<State>({ status: 'idle' });
  const searchRun = useRef(0);
  const queryBox = useRef<HTMLInputElement>(null);
  // False in the server-rendered HTML, so a browser without JavaScript keeps the notice below.
  const [hydrated, setHydrated] = useState(false);
  // The filters start folded away (a phone shows "Filter results" to open them) and open
  // themselves on a wide screen, where they have a column of their own. Either way the
  // results never move when the filters arrive.
  const [wide, setWide] = useState(false);
  useEffect(() => {
    setHydrated(true);
    setWide(window.matchMedia('(min-width: 48rem)').matches);
    const initial = readUrl(groups);
    // Words typed before this ran (the box works before hydration) win over an empty address.
    setQuery((typed) => initial.query || typed || queryBox.current?.value || '');
    setSelected((chosen) => (Object.values(initial.selected).some((v) => v.length) ? initial.selected : chosen));
    loadPagefind(bundlePath, mergeIndexes)
      .then(async (pf) => {
        setAvailable(await pf.filters());
        setApi(pf);
      })
      .catch(() => setState({ status: 'error' }));
    // An island's props do not change after hydration: load once.
  }, []);

  useEffect(() => {
    if (!api) return;
    const handle = setTimeout(() => void runSearch(api, query, selected), 250);
    return () => clearTimeout(handle);
  }, [api, query, selected]);

  async function runSearch(pf: PagefindApi, q: string, sel: Selected) {
    writeUrl(groups, q, sel);
    const filters = Object.fromEntries(
      groups.filter(({ key }) => sel[key]?.length).map(({ key }) => [key, { any: sel[key]! }]),
    );
    const hasFilters = Object.keys(filters).length > 0;
    if (!q.trim() && !hasFilters) return setState({ status: 'idle' });
    const run = ++searchRun.current;
    setState({ status: 'loading' });
    try {
      const search = await pf.search(q.trim() || null, { filters });
      if (!search) return; // superseded by a newer search inside Pagefind
      const results = await Promise.all(search.results.slice(0, RESULTS_SHOWN).map((r) => r.data()));
      if (run === searchRun.current) setState({ status: 'done', results, total: search.results.length });
    } catch {
      if (run === searchRun.current) setState({ status: 'error' });
    }
  }

  function toggle(key: string, value: string, on: boolean) {
    setSelected((s) => {
      const current = s[key] ?? [];
      return { ...s, [key]: on ? [...current, value] : current.filter((v) => v !== value) };
    });
  }

  function onSubmit(e: SubmitEvent) {
    e.preventDefault();
    if (api) void runSearch(api, query, selected);
  }

  const statusText =
    state.status === 'loading'
      ? 'Searching…'
      : state.status === 'error'
        ? 'Search is not available just now. Please try again, or browse the listings.'
        : state.status === 'done'
          ? `${state.total} ${state.total === 1 ? 'result' : 'results'}${query.trim() ? ` for “${query.trim()}”` : ''}`
          : '';

  return (
    <div className="library-search">
      <form className="search-form" role="search" action={action} method="get" onSubmit={onSubmit}>
        <label htmlFor={`${id}-q`}>{label}</label>
        <div className="search-form__row">
          <input
            id={`${id}-q`}
            ref={queryBox}
            name="q"
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            autoComplete="off"
          />
          <button type="submit">Search</button>
        </div>
      </form>

      <div className="search-layout">
        <details className="search-filters" open={wide}>
          <summary>Filter results</summary>
          {wide && <h2 className="visually-hidden">Filter results</h2>}
          {api &&
            groups.map(({ key, legend, values: fixed }) => {
              const values = fixed ? [...fixed] : Object.keys(available[key] ?? {}).sort();
              if (!values.length) return null;
              return (
                <fieldset key={key}>
                  <legend>{legend}</legend>
                  {values.map((value) => {
                    const inputId = `${id}-${key}-${value}`;
                    return (
                      <div className="checkbox" key={value}>
                        <input
                          id={inputId}
                          type="checkbox"
                          checked={selected[key]?.includes(value) ?? false}
                          onChange={(e) => toggle(key, value, e.target.checked)}
                        />
                        <label htmlFor={inputId}>{value}</label>
                      </div>
                    );
                  })}
                </fieldset>
              );
            })}
        </details>

        <div className="search-results">
          <p role="status" className="search-status">{statusText}</p>
          {/* In the results' room (kept by CSS), so its going at hydration moves nothing. */}
          {!hydrated && (
            <div className="notice">
              <p>Search needs JavaScript, which is turned off or blocked in your browser. You can still browse everything:</p>
              <ul>
                {browseLinks.map((l) => <li key={l.href}><a href={l.href}>{l.label}</a></li>)}
                <li><a href="/topics">All topics</a></li>
              </ul>
            </div>
          )}
          {state.status === 'done' && state.total === 0 && (
            <div className="no-results">
              <p>Nothing matched. Try fewer or different words, remove a filter, or browse:</p>
              <ul>
                {browseLinks.map((l) => <li key={l.href}><a href={l.href}>{l.label}</a></li>)}
              </ul>
            </div>
          )}
          {state.status === 'done' && state.total > 0 && (
            <ol className="results">
              {state.results.map((r) => (
                <li key={r.url}>
                  {(r.meta.source || r.meta.type) && (
                    <p className="card__type">{[r.meta.source, r.meta.type].filter(Boolean).join(' · ')}</p>
                  )}
                  <h3><a href={r.url}>{r.meta.title ?? r.url}</a></h3>
                  <p>
                    {excerptParts(r.excerpt).map((part, i) => (part.marked ? <mark key={i}>{part.text}</mark> : part.text))}
                  </p>
                </li>
              ))}
            </ol>
          )}
          {state.status === 'done' && state.total > RESULTS_SHOWN && (
            <p>Showing the first {RESULTS_SHOWN}. Add words or filters to narrow the search.</p>
          )}
        </div>
      </div>
    </div>
  );
}

renderedByReact(LibrarySearch);
