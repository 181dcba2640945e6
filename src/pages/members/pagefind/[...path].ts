import type { APIRoute } from 'astro';
import { readFile } from 'node:fs/promises';
import { requireMember } from '#lib/auth/guards.ts';
import { findIndexFile, indexContentType, membersIndexDir, resolveIndexPath } from '#lib/content/members-index-files.ts';

export const prerender = false;

const notFound = () => new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/**
 * The members' Pagefind bundle (built to dist/private/pagefind-members), for signed-in
 * members only. pagefind.js fetches its worker, wasm and index chunks relative to its
 * own URL, so every one of those requests passes this check too.
 */
export const GET: APIRoute = async (context) => {
  const root = membersIndexDir();
  // A path Pagefind could not have written (traversal, encoded slashes…) is simply not here.
  if (!resolveIndexPath(root, context.params.path)) return notFound();

  // Scripts and chunks, not pages: refuse rather than redirect to the sign-in form.
  const member = requireMember(context);
  if (member instanceof Response) {
    if (member.status === 403) return member;
    return new Response('Sign in to use the members’ search', { status: 401, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }

  const file = findIndexFile(root, context.params.path);
  if (!file) return notFound();
  return new Response(await readFile(file), {
    headers: {
      'Content-Type': indexContentType(file),
      // Members' text: browsers only, and not kept after the page is closed.
      'Cache-Control': 'private, no-store',
      Vary: 'Cookie',
    },
  });
};
