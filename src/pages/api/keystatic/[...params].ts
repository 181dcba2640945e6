import type { APIRoute } from 'astro';
import { getDb } from '#lib/db.ts';
import { handleKeystaticApi } from '#lib/editing/keystatic-api.ts';
import { contentDir } from '#lib/content/source-files.ts';

export const prerender = false;

/**
 * The browser editor's API, owned here rather than injected by @keystatic/astro, so it
 * is rooted at the content folder and guarded (src/lib/editing/keystatic-api.ts says how).
 */
export const ALL: APIRoute = async ({ request, locals, clientAddress }) => {
  let params: string[];
  try {
    params = new URL(request.url).pathname.replace(/^\/api\/keystatic\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return new Response('Not a valid address.', { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'private, no-store' } });
  }
  const member = locals.user && locals.session?.mfaVerified ? { user: locals.user, session: locals.session } : null;
  return handleKeystaticApi({ request, params, member, ip: clientAddress, db: await getDb(), contentDir: contentDir() });
};
