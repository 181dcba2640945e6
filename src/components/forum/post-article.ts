/**
 * One post on a thread page, written as a string: "Post N by Name" (h2), when, what it
 * replies to, the edited marker with its history, the text (only ever renderMarkdown
 * output, the one thing not escaped here), and what this member may do with it. Hidden
 * posts arrive already emptied for members (moderation.ts presentPost); deleted posts show
 * a placeholder to everyone.
 *
 * A function rather than an Astro component because a thread page shows twenty of them:
 * as components they cost Astro a component instance and a render per post, measurably
 * more than the rest of the page's markup (bench/README.md). The page inserts the result
 * with `set:html`, so everything that comes from a member or the database is escaped here.
 * A moderator's controls (PostModeration.astro, a form with Astro's Actions) go between
 * `start` and `end`.
 */
import type { Thread } from '#db/schema.ts';
import type { ForumActor } from '#lib/forum/access.ts';
import type { PostModerationState } from '#lib/forum/moderation.ts';
import { canChangePost, canReportPost } from '#lib/forum/permissions.ts';
import type { ShownPost } from '#lib/forum/posts.ts';
import { postLocation, postPermalink, threadPath } from '#lib/forum/urls.ts';
import { escapeHtml } from '#lib/html.ts';
import { formatDateTime } from '#lib/time.ts';

export interface PostArticleView {
  post: ShownPost;
  authorName: string | null;
  moderation: PostModerationState;
}

export interface PostArticleContext {
  thread: Thread;
  actor: ForumActor;
  /** The thread page this post is shown on. */
  page: number;
  /** Whether this member may reply here (`canReply`, asked once by the page). */
  canReply: boolean;
}

export function postArticleHtml({ post, authorName, moderation }: PostArticleView, { thread, actor, page, canReply }: PostArticleContext): { start: string; end: string } {
  const n = post.postNumber;
  const name = escapeHtml(authorName ?? 'a former member');
  const deleted = Boolean(post.deletedAt);
  const hidden = moderation.state === 'hidden';
  const hiddenFromMe = moderation.state === 'hidden' && !moderation.showContent;
  const showText = !deleted && !hiddenFromMe;
  // The same rules the forum's functions enforce (src/lib/forum/permissions.ts).
  const changeable = canChangePost(actor, post, thread);
  const reportable = canReportPost(actor, post);
  const path = escapeHtml(threadPath(thread));
  // The reply box's address on this page, with ?reply=N or ?quote=N.
  const replyBox = (param: 'reply' | 'quote') => `${path}?${page > 1 ? `page=${page}&amp;` : ''}${param}=${n}#reply`;
  const classes = ['forum-post', post.authorId === actor.id && 'forum-post--mine', hidden && 'forum-post--hidden'].filter(Boolean).join(' ');

  let html = `<article class="${classes}" id="post-${n}" aria-labelledby="post-${n}-heading" data-post-number="${n}">`;
  html += `<header class="forum-post__header"><h2 id="post-${n}-heading" class="forum-post__heading">Post ${n} by ${name}</h2><p class="forum-post__meta">`;
  html += `<a href="${postPermalink(post.id)}" class="forum-post__permalink"><time datetime="${post.createdAt.toISOString()}">${escapeHtml(formatDateTime(post.createdAt))}</time><span class="visually-hidden"> (link to post ${n})</span></a>`;
  if (post.replyToPostNumber) html += ` · in reply to <a href="${escapeHtml(postLocation(thread, post.replyToPostNumber))}">post ${post.replyToPostNumber}</a>`;
  if (post.editedAt && showText) html += ` · <a href="/forum/p/${post.id}/history" class="forum-post__edited">Edited: see history<span class="visually-hidden"> of post ${n}</span></a>`;
  html += '</p></header>';

  if (deleted) {
    const byModerator = post.deletedBy && post.deletedBy !== post.authorId;
    html += `<p class="forum-post__placeholder">${byModerator ? 'This post was deleted by a moderator.' : 'This post was deleted by its author.'}</p>`;
  } else if (hiddenFromMe) {
    html += '<p class="forum-post__placeholder">This post was hidden by a moderator.</p>';
  } else {
    if (moderation.state === 'hidden' && moderation.showContent) {
      html += `<p class="forum-post__hidden-note"><strong>Hidden by a moderator</strong>${moderation.reason ? `: ${escapeHtml(moderation.reason)}` : ''}. Members see a placeholder instead of this text.</p>`;
    }
    // renderMarkdown's sanitised output, stored with the post.
    html += `<div class="prose forum-post__body">${post.html}</div>`;
  }

  if (showText) {
    html += '<ul class="inline-list forum-post__actions">';
    if (canReply) html += `<li><a href="${replyBox('reply')}">Reply<span class="visually-hidden"> to post ${n}</span></a></li>`;
    if (canReply) html += `<li><a href="${replyBox('quote')}">Quote<span class="visually-hidden"> post ${n}</span></a></li>`;
    if (changeable) html += `<li><a href="/forum/p/${post.id}/edit">Edit<span class="visually-hidden"> post ${n}</span></a></li>`;
    if (changeable) html += `<li><a href="/forum/p/${post.id}/delete">Delete<span class="visually-hidden"> post ${n}</span></a></li>`;
    if (reportable) html += `<li><a href="/forum/p/${post.id}/report">Report<span class="visually-hidden"> post ${n}</span></a></li>`;
    html += '</ul>';
  }
  return { start: html, end: '</article>' };
}
