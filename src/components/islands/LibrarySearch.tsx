import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { excerptParts, loadPagefind, type PagefindApi, type PagefindResultData } from './pagefind-client';

/** Filters the search offers, in the order shown; keys match data-pagefind-filter names. */
const filterGroups = [
  { key: 'type', legend: 'Type' },
  { key: 'topic', legend: 'Topic' },
  { key: 'region', legend: 'Region' },
] as const;
type FilterKey = (typeof filterGroups)[number]['key'];
type Selected = Record<FilterKey, string[]>;

const RESULTS_SHOWN = 20;

type State =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'done'; results: PagefindResultData[]; total: number }
  | { status: 'error' };

function readUrl(): { query: string; selected: Selected } {
  const params = new URLSearchParams(window.location.search);
  return {
    query: params.get('q') ?? '',
    selected: { type: params.getAll('type'), topic: params.getAll('topic'), region: params.getAll('region') },
  };
}

function writeUrl(query: string, selected: Selected) {
  const params = new URLSearchParams();
  if (query) params.set('q', query);
  for (const { key } of filterGroups) for (const v of selected[key]) params.append(key, v);
  const qs = params.toString();
  window.history.replaceState(null, '', qs ? `?${qs}` : window.location.pathname);
}

export default function LibrarySearch() {
  const id = useId();
  const [api, setApi] = useState<PagefindApi>();
  const [available, setAvailable] = useState<Record<string, Record<string, number>>>({});
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<Selected>({ type: [], topic: [], region: [] });
  const [state, setState] = useState<State>({ status: 'idle' });
  const searchRun = useRef(0);
  // False in the server-rendered HTML, so a browser without JavaScript keeps the notice below.
  const [hydrated, setHydrated] = useState(false);

  useEffect(() => {
    setHydrated(true);
    const initial = readUrl();
    setQuery(initial.query);
    setSelected(initial.selected);
    loadPagefind()
      .then(async (pf) => {
        setAvailable(await pf.filters());
        setApi(pf);
      })
      .catch(() => setState({ status: 'error' }));
  }, []);

  useEffect(() => {
    if (!api) return;
    const handle = setTimeout(() => void runSearch(api, query, selected), 250);
    return () => clearTimeout(handle);
  }, [api, query, selected]);

  async function runSearch(pf: PagefindApi, q: string, sel: Selected) {
    writeUrl(q, sel);
    const filters = Object.fromEntries(
      filterGroups.filter(({ key }) => sel[key].length).map(({ key }) => [key, { any: sel[key] }]),
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

  function toggle(key: FilterKey, value: string, on: boolean) {
    setSelected((s) => ({ ...s, [key]: on ? [...s[key], value] : s[key].filter((v) => v !== value) }));
  }

  function onSubmit(e: FormEvent) {
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
      {!hydrated && (
        <div className="notice">
          <p>Search needs JavaScript, which is turned off or blocked in your browser. You can still browse everything:</p>
          <ul>
            <li><a href="/guides">Practice guides</a></li>
            <li><a href="/awareness">Awareness pages</a></li>
            <li><a href="/news">News and workshop reports</a></li>
            <li><a href="/topics">All topics</a></li>
          </ul>
        </div>
      )}
      <form className="search-form" role="search" action="/search" method="get" onSubmit={onSubmit}>
        <label htmlFor={`${id}-q`}>Search guides, awareness pages and news</label>
        <div className="search-form__row">
          <input
            id={`${id}-q`}
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
        {api && (
          <div className="search-filters">
            <h2 className="visually-hidden">Filter results</h2>
            {filterGroups.map(({ key, legend }) => {
              const values = Object.keys(available[key] ?? {}).sort();
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
                          checked={selected[key].includes(value)}
                          onChange={(e) => toggle(key, value, e.target.checked)}
                        />
                        <label htmlFor={inputId}>{value}</label>
                      </div>
                    );
                  })}
                </fieldset>
              );
            })}
          </div>
        )}

        <div className="search-results">
          <p role="status" className="search-status">{statusText}</p>
          {state.status === 'done' && state.total === 0 && (
            <div className="no-results">
              <p>Nothing matched. Try fewer or different words, remove a filter, or browse:</p>
              <ul>
                <li><a href="/guides">Practice guides</a></li>
                <li><a href="/awareness">Awareness pages</a></li>
                <li><a href="/news">News and workshop reports</a></li>
              </ul>
            </div>
          )}
          {state.status === 'done' && state.total > 0 && (
            <ol className="results">
              {state.results.map((r) => (
                <li key={r.url}>
                  {r.meta.type && <p className="card__type">{r.meta.type}</p>}
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
