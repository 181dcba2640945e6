/**
 * Markup the forum's pages write as strings rather than components (decision 037):
 * breadcrumbs, the pager, the notification level form and a category's thread rows. They
 * are inserted unescaped, so this pins that everything from members, the database or the
 * address is escaped, and the links each one gives.
 */
import { describe, expect, it } from 'vitest';
import type { Thread } from '#db/schema.ts';
import { breadcrumbsHtml } from '#components/breadcrumbs.ts';
import { notificationLevelHtml } from '#components/forum/notification-level.ts';
import { pagerHtml } from '#components/forum/pager.ts';
import { threadRowsHtml } from '#components/forum/thread-rows.ts';

const url = (path: string) => new URL(path, 'http://localhost:4321');
/** What astro:actions gives the form for `actions.notifications`. */
const actions = { setThreadLevel: '?_action=notifications.setThreadLevel', setCategoryLevel: '?_action=notifications.setCategoryLevel' };

describe('breadcrumbsHtml', () => {
  it('writes the trail, escaped, and keeps it from the search index when asked', () => {
    const out = breadcrumbsHtml([{ href: '/forum', label: 'Forum' }, { href: '/forum/a"b', label: 'Q&A <i>' }]);
    expect(out).toBe('<nav aria-label="Breadcrumb" class="breadcrumbs"> <ol> <li><a href="/forum">Forum</a></li><li><a href="/forum/a&quot;b">Q&amp;A &lt;i&gt;</a></li> </ol> </nav>');
    expect(breadcrumbsHtml([], true)).toContain('class="breadcrumbs" data-pagefind-ignore>');
  });
});

describe('pagerHtml', () => {
  it('writes nothing for a single page', () => {
    expect(pagerHtml({ page: 1, pages: 1, noun: 'posts', url: url('/forum/general') })).toBe('');
  });

  it('links a window of pages with the first and last, keeping other parameters but not one-off ones', () => {
    const out = pagerHtml({ page: 5, pages: 9, noun: 'posts', place: 'at the end', path: '/forum/t/1/x', url: url('/forum/t/1/x?page=5&quote=3&reply=2&_action=a&q=a%26b') });
    expect(out).toMatch(/^<nav class="forum-pager" aria-label="Pages of posts, at the end"> <p class="forum-pager__status">Page 5 of 9<\/p>/);
    expect(out).toContain('<a href="/forum/t/1/x?q=a%26b&amp;page=4" rel="prev">');
    expect(out).toContain('<a href="/forum/t/1/x?q=a%26b"><span class="visually-hidden">Page </span>1</a>');
    expect(out).toContain('<a href="/forum/t/1/x?q=a%26b&amp;page=5" aria-current="page"><span class="visually-hidden">Page </span>5</a>');
    expect(out).toContain('<a href="/forum/t/1/x?q=a%26b&amp;page=6" rel="next">');
    expect(out.match(/<li aria-hidden="true">…<\/li>/g)).toHaveLength(2);
    expect(out).not.toMatch(/quote|reply|_action/);
    expect([...out.matchAll(/>(\d)<\/a>/g)].map((m) => m[1])).toEqual(['1', '3', '4', '5', '6', '7', '9']);
  });

  it('has no previous link on the first page and no next link on the last', () => {
    expect(pagerHtml({ page: 1, pages: 2, noun: 'threads', url: url('/forum/general') })).not.toContain('rel="prev"');
    expect(pagerHtml({ page: 2, pages: 2, noun: 'threads', url: url('/forum/general?page=2') })).not.toContain('rel="next"');
  });
});

describe('notificationLevelHtml', () => {
  it('writes the form with the level selected, the way back, and escaped names', () => {
    const out = notificationLevelHtml({
      kind: 'thread',
      targetId: 7,
      targetName: 'Q&A <b>',
      level: 'watching',
      actions,
      url: url('/forum/t/7/q-a?page=2&_action=forum.reply&x=%22'),
    });
    expect(out).toContain('<form class="notification-level" method="POST" action="/notifications?_action=notifications.setThreadLevel">');
    expect(out).toContain('<input type="hidden" name="threadId" value="7">');
    expect(out).toContain('<input type="hidden" name="next" value="/forum/t/7/q-a?page=2&amp;x=%22">');
    expect(out).toContain('<label for="notification-level-thread-7">Notifications for this thread</label>');
    expect(out).toContain('<option value="watching" selected>');
    expect(out).toContain('<option value="normal">');
    expect(out).toContain('<span class="visually-hidden"> notifications for Q&amp;A &lt;b&gt;</span>');
  });

  it('names a category’s field after it, with a label of the page’s choosing', () => {
    const out = notificationLevelHtml({ kind: 'category', targetId: 2, targetName: 'General', level: 'normal', actions, url: url('/notifications'), label: 'For <General>' });
    expect(out).toContain('name="categoryId" value="2"');
    expect(out).toContain('<label for="notification-level-category-2">For &lt;General&gt;</label>');
    expect(out).toContain('<input type="hidden" name="next" value="/notifications">');
  });
});

describe('threadRowsHtml', () => {
  const thread = (over: Partial<Thread> = {}) =>
    ({ id: 4, slug: 'a-b', title: 'A <b>"title"</b>', pinned: false, locked: false, hiddenAt: null, replyCount: 3, highestPostNumber: 4, bumpedAt: new Date('2026-03-02T10:05:00Z'), ...over }) as Thread;

  it('marks a thread never opened as new and unread, escaping its title and author', () => {
    const out = threadRowsHtml([{ thread: thread(), authorName: '<Sam>', lastReadPostNumber: null }], false);
    expect(out).toContain('<tr data-thread="4" class="forum-threads--unread">');
    expect(out).toContain('<span class="forum-tag forum-tag--new">New</span>');
    expect(out).toContain('<a href="/forum/t/4/a-b" class="forum-threads__title">A &lt;b&gt;&quot;title&quot;&lt;/b&gt;</a>');
    expect(out).toContain('Started by &lt;Sam&gt;</span>');
    expect(out).toContain('<td>3</td> <td><time datetime="2026-03-02T10:05:00.000Z">2 Mar 2026, 10:05</time></td> </tr>');
    expect(out).not.toContain('forum-unread-link');
  });

  it('links the first unread post, and shows a thread read to the end plainly', () => {
    const unread = threadRowsHtml([{ thread: thread(), authorName: null, lastReadPostNumber: 3 }], false);
    expect(unread).toContain('<a class="forum-unread-link" href="/forum/t/4/a-b#post-4"> 1 unread<span class="visually-hidden"> post in A &lt;b&gt;');
    expect(unread).toContain('Started by a former member');
    const read = threadRowsHtml([{ thread: thread(), authorName: 'Sam', lastReadPostNumber: 4 }], false);
    expect(read).toContain('<tr data-thread="4">');
    expect(read).not.toMatch(/forum-tag|unread/);
  });

  it('tags pinned and locked threads, and hidden ones only for moderators', () => {
    const item = { thread: thread({ pinned: true, locked: true, hiddenAt: new Date() }), authorName: 'Sam', lastReadPostNumber: 4 };
    const forMember = threadRowsHtml([item], false);
    expect(forMember).toContain('<span class="forum-tag">Pinned</span> <span class="forum-tag">Locked</span>');
    expect(forMember).not.toContain('Hidden');
    expect(threadRowsHtml([item], true)).toContain('<span class="forum-tag forum-tag--warning">Hidden</span>');
  });
});
