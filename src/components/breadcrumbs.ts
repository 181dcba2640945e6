/**
 * The trail back to where a page sits (Home › Guides, Members' area › Forum › …), written
 * as a string: Breadcrumbs.astro inserts it, and pages rendered on every request (the
 * forum's) call it directly, which saves a component instance per page (decision 037).
 * Everything is escaped here.
 */
import { escapeHtml } from '#lib/html.ts';

export interface BreadcrumbItem {
  href: string;
  label: string;
}

/** `searchIgnore` keeps the trail out of the search index on pages Pagefind reads. */
export function breadcrumbsHtml(items: readonly BreadcrumbItem[], searchIgnore = false): string {
  let list = '';
  for (const { href, label } of items) list += `<li><a href="${escapeHtml(href)}">${escapeHtml(label)}</a></li>`;
  return `<nav aria-label="Breadcrumb" class="breadcrumbs"${searchIgnore ? ' data-pagefind-ignore' : ''}> <ol> ${list} </ol> </nav>`;
}
