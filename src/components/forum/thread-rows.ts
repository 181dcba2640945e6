/**
 * A category page's thread list, one table row per thread, written as a string: the tags
 * (pinned, locked, hidden for moderators, new), the title, who started it, the unread posts
 * with a link to the first, replies and last activity. A function rather than template
 * markup because a category page shows 25 rows on every request (decision 037); the page
 * inserts the result with `set:html`, so everything from members or the database is
 * escaped here.
 */
import { postLocation, threadPath } from '#lib/forum/urls.ts';
import type { ThreadListItem } from '#lib/forum/threads.ts';
import { escapeHtml } from '#lib/html.ts';
import { formatDateTime } from '#lib/time.ts';

/** `moderator`: whether the reader moderates the forum (they are shown hidden threads, tagged). */
export function threadRowsHtml(items: readonly ThreadListItem[], moderator: boolean): string {
  let html = '';
  for (const { thread, authorName, lastReadPostNumber } of items) {
    // Never opened: new (all unread); else the posts since the last one read.
    const unread = lastReadPostNumber === null ? null : thread.highestPostNumber - lastReadPostNumber;
    const title = escapeHtml(thread.title);
    // The spaces are where Astro's template put them (the page's output before this function).
    html += `<tr data-thread="${thread.id}"${unread === null || unread > 0 ? ' class="forum-threads--unread"' : ''}> <th scope="row"> `;
    if (thread.pinned) html += '<span class="forum-tag">Pinned</span>';
    html += ' ';
    if (thread.locked) html += '<span class="forum-tag">Locked</span>';
    html += ' ';
    if (moderator && thread.hiddenAt) html += '<span class="forum-tag forum-tag--warning">Hidden</span>';
    html += ' ';
    if (unread === null) html += '<span class="forum-tag forum-tag--new">New</span>';
    html += ` <a href="${escapeHtml(threadPath(thread))}" class="forum-threads__title">${title}</a> <span class="small forum-threads__by">Started by ${escapeHtml(authorName ?? 'a former member')}</span> `;
    if (unread !== null && unread > 0) {
      html += `<a class="forum-unread-link" href="${escapeHtml(postLocation(thread, lastReadPostNumber! + 1))}"> ${unread} unread<span class="visually-hidden"> ${unread === 1 ? 'post' : 'posts'} in ${title}</span> </a>`;
    }
    html += ` </th> <td>${thread.replyCount}</td> <td><time datetime="${thread.bumpedAt.toISOString()}">${escapeHtml(formatDateTime(thread.bumpedAt))}</time></td> </tr>`;
  }
  return html;
}
