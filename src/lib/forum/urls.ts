/** Addresses in the forum, built in one place so pages, actions and tests agree. */
import type { Thread } from '#db/schema.ts';
import { POSTS_PER_PAGE } from './limits.ts';

/** The page a post number falls on. */
export function pageOfPost(postNumber: number): number {
  return Math.max(1, Math.ceil(postNumber / POSTS_PER_PAGE));
}

/** A thread's page: /forum/t/<id>/<slug>, with ?page=N from the second page on. */
export function threadPath(thread: Pick<Thread, 'id' | 'slug'>, page = 1): string {
  const path = `/forum/t/${thread.id}/${thread.slug}`;
  return page > 1 ? `${path}?page=${page}` : path;
}

/** Where a post is shown: its thread's page and the post's anchor. */
export function postLocation(thread: Pick<Thread, 'id' | 'slug'>, postNumber: number): string {
  return `${threadPath(thread, pageOfPost(postNumber))}#post-${postNumber}`;
}

/** The stable permalink of a post, which redirects to its page and anchor. */
export function postPermalink(postId: number): string {
  return `/forum/p/${postId}`;
}

/** A form's action address: `path` (which may have a query already) plus Astro's `?_action=…`. */
export function formAction(path: string, action: { toString(): string }): string {
  const query = String(action).replace(/^\?/, '');
  return `${path}${path.includes('?') ? '&' : '?'}${query}`;
}

