/**
 * A thread page's posts are written as strings (src/components/forum/post-article.ts) and
 * inserted unescaped, so this pins what the Astro component used to guarantee: everything
 * from members or the database is escaped, except the stored, sanitised post HTML; a hidden
 * post shows members nothing of its text or reason; the links and controls each viewer gets.
 */
import { describe, expect, it } from 'vitest';
import type { Thread } from '#db/schema.ts';
import { postArticleHtml, type PostArticleContext, type PostArticleView } from '#components/forum/post-article.ts';
import type { ForumActor } from '#lib/forum/access.ts';
import { presentPost } from '#lib/forum/moderation.ts';
import type { ShownPost } from '#lib/forum/posts.ts';

const member: ForumActor = { id: 1, displayName: 'Sam', role: 'member', organisationType: 'charity' };
const moderator: ForumActor = { id: 2, displayName: 'Mo', role: 'moderator', organisationType: 'police-force' };
const thread = { id: 7, slug: 'a-thread', locked: false, hiddenAt: null } as Thread;
const post = (over: Partial<ShownPost> = {}): ShownPost => ({
  id: 40,
  threadId: 7,
  postNumber: 3,
  authorId: 9,
  html: '<p>Hello <strong>all</strong></p>',
  replyToPostNumber: null,
  createdAt: new Date('2026-03-02T10:05:00Z'),
  editedAt: null,
  version: 1,
  hiddenAt: null,
  hiddenReason: null,
  hiddenBy: null,
  deletedAt: null,
  deletedBy: null,
  ...over,
});
const html = (actor: ForumActor, p: ShownPost, authorName: string | null = 'Alex', context: Partial<PostArticleContext> = {}) => {
  const view: PostArticleView = { ...presentPost(actor, { post: p }), authorName };
  const { start, end } = postArticleHtml(view, { thread, actor, page: 1, canReply: true, ...context });
  return start + end;
};

describe('postArticleHtml', () => {
  it('writes the post with its heading, time, text and the reader’s links', () => {
    const out = html(member, post({ replyToPostNumber: 1, editedAt: new Date('2026-03-03T00:00:00Z') }));
    expect(out).toMatch(/^<article class="forum-post" id="post-3" aria-labelledby="post-3-heading" data-post-number="3">/);
    expect(out).toContain('<h2 id="post-3-heading" class="forum-post__heading">Post 3 by Alex</h2>');
    expect(out).toContain('<time datetime="2026-03-02T10:05:00.000Z">2 Mar 2026, 10:05</time>');
    expect(out).toContain('in reply to <a href="/forum/t/7/a-thread#post-1">post 1</a>');
    expect(out).toContain('<a href="/forum/p/40/history" class="forum-post__edited">');
    expect(out).toContain('<div class="prose forum-post__body"><p>Hello <strong>all</strong></p></div>');
    expect(out).toContain('href="/forum/t/7/a-thread?reply=3#reply"');
    expect(out).toContain('href="/forum/t/7/a-thread?quote=3#reply"');
    expect(out).toContain('href="/forum/p/40/report"');
    expect(out).not.toContain('/edit"');
    expect(out).toMatch(/<\/article>$/);
  });

  it('escapes the author’s name, and the page in the reply links', () => {
    const out = html(member, post(), '<img src=x onerror=alert(1)> & "Bob"', { page: 2 });
    expect(out).toContain('Post 3 by &lt;img src=x onerror=alert(1)&gt; &amp; &quot;Bob&quot;</h2>');
    expect(out).not.toContain('<img');
    expect(out).toContain('href="/forum/t/7/a-thread?page=2&amp;reply=3#reply"');
  });

  it('names a former member, and marks the reader’s own post with edit and delete but no report', () => {
    const out = html(member, post({ authorId: member.id }), null);
    expect(out).toContain('Post 3 by a former member</h2>');
    expect(out).toContain('class="forum-post forum-post--mine"');
    expect(out).toContain('href="/forum/p/40/edit"');
    expect(out).toContain('href="/forum/p/40/delete"');
    expect(out).not.toContain('/report"');
  });

  it('shows members a placeholder for a hidden post, with neither text nor reason', () => {
    const hidden = post({ hiddenAt: new Date(), hiddenReason: 'Names a victim', hiddenBy: moderator.id });
    const out = html(member, hidden);
    expect(out).toContain('class="forum-post forum-post--hidden"');
    expect(out).toContain('<p class="forum-post__placeholder">This post was hidden by a moderator.</p>');
    expect(out).not.toContain('Hello');
    expect(out).not.toContain('Names a victim');
    expect(out).not.toContain('forum-post__actions');
  });

  it('shows moderators a hidden post’s text with the reason, escaped', () => {
    const out = html(moderator, post({ hiddenAt: new Date(), hiddenReason: '<b>Names</b> a victim', hiddenBy: moderator.id }));
    expect(out).toContain('<strong>Hidden by a moderator</strong>: &lt;b&gt;Names&lt;/b&gt; a victim. Members see a placeholder instead of this text.');
    expect(out).toContain('<p>Hello <strong>all</strong></p>');
  });

  it('says who deleted a post, and shows no text or links for it', () => {
    expect(html(member, post({ deletedAt: new Date(), deletedBy: 9 }))).toContain('This post was deleted by its author.');
    const byModerator = html(member, post({ deletedAt: new Date(), deletedBy: moderator.id }));
    expect(byModerator).toContain('This post was deleted by a moderator.');
    expect(byModerator).not.toContain('forum-post__actions');
    expect(byModerator).not.toContain('forum-post__body');
  });

  it('leaves out Reply and Quote where the member may not reply', () => {
    const out = html(member, post(), 'Alex', { canReply: false });
    expect(out).not.toContain('?reply=');
    expect(out).not.toContain('?quote=');
    expect(out).toContain('/report"');
  });
});
