/**
 * "Page 2 of 6" with previous, numbered and next links, keeping the page's other query
 * parameters; written as a string. Pager.astro inserts it; the thread and category pages
 * call it directly, which saves a component instance each (decision 037). Everything is
 * escaped here.
 */
import { escapeHtml } from '#lib/html.ts';

export interface PagerOptions {
  page: number;
  pages: number;
  /** What the pages are of, for the navigation's name: "threads", "posts". */
  noun: string;
  /** This page's address: its query parameters are kept in the links (except the page and one-off ones). */
  url: URL;
  /** The path without a page (defaults to the URL's). */
  path?: string;
  /** Where this pager is, when a page shows two ("at the end"): each navigation landmark needs a name of its own. */
  place?: string;
}

/** Nothing when there is only one page. */
export function pagerHtml({ page, pages, noun, url, path = url.pathname, place }: PagerOptions): string {
  if (!(pages > 1)) return '';
  const params = new URLSearchParams(url.searchParams);
  for (const key of ['_action', 'quote', 'reply', 'page']) params.delete(key);
  const link = (n: number) => {
    if (n > 1) params.set('page', String(n));
    else params.delete('page');
    const query = params.toString();
    return escapeHtml(query ? `${path}?${query}` : path);
  };
  // A window of page numbers around this one, with the first and last always there.
  const shown = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  // The spaces are where Astro's template put them (the component's output before this function).
  let html = `<nav class="forum-pager" aria-label="${escapeHtml(`Pages of ${noun}${place ? `, ${place}` : ''}`)}"> <p class="forum-pager__status">Page ${page} of ${pages}</p> <ul class="inline-list"> `;
  if (page > 1) html += `<li><a href="${link(page - 1)}" rel="prev">Previous<span class="visually-hidden"> page</span></a></li>`;
  html += ' ';
  shown.forEach((n, i) => {
    html += ' ';
    if (i > 0 && n - shown[i - 1]! > 1) html += '<li aria-hidden="true">…</li>';
    html += ` <li> <a href="${link(n)}"${n === page ? ' aria-current="page"' : ''}><span class="visually-hidden">Page </span>${n}</a> </li> `;
  });
  html += ' ';
  if (page < pages) html += `<li><a href="${link(page + 1)}" rel="next">Next<span class="visually-hidden"> page</span></a></li>`;
  return `${html} </ul> </nav>`;
}
