import { defineMiddleware } from 'astro:middleware';
import type { APIContext, MiddlewareNext } from 'astro';
import { getDb } from '#lib/db.ts';
import { SESSION_COOKIE, deleteSessionCookie, validateSessionToken } from '#lib/auth/sessions.ts';
import { editorContentSecurityPolicy, isEditorAppPath } from '#lib/editing/csp.ts';
import { actionBodyProblem, isActionRequest } from '#lib/action-body.ts';
import { withIslandStyleInHead } from '#lib/island-styles.ts';
import { MEMBER_HEADER, ROUTE_HEADER } from '#server/internal-headers.ts';

/**
 * Loads the session for on-demand routes and marks their responses private.
 * Prerendered pages are public and built without a request, so they are skipped, but
 * for removing Astro's inline island style as they are built (src/lib/island-styles.ts;
 * the server does it for on-demand pages).
 */
export const onRequest = defineMiddleware(async (context, next) => {
  context.locals.user = null;
  context.locals.session = null;
  if (context.isPrerendered) return withIslandStyleInHead(await next());

  const response = await respond(context, next);
  // For the server's log line (src/server/internal-headers.ts); removed before sending.
  response.headers.set(ROUTE_HEADER, context.routePattern);
  const { user } = context.locals as App.Locals; // set by respond(), which TypeScript cannot see
  if (user) response.headers.set(MEMBER_HEADER, String(user.id));
  return response;
});

async function respond(context: APIContext, next: MiddlewareNext): Promise<Response> {
  if (isActionRequest(context.request, context.url)) {
    const problem = await actionBodyProblem(context.request);
    if (problem) return new Response(problem, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
  }

  const token = context.cookies.get(SESSION_COOKIE)?.value;
  if (token) {
    const { user, session } = await validateSessionToken(await getDb(), token);
    if (session) {
      context.locals.user = user;
      context.locals.session = session;
    } else {
      deleteSessionCookie(context.cookies);
    }
  }

  const response = await next();
  // Pages rendered for a request may hold members' data: never cache them in shared caches.
  if (!response.headers.has('Cache-Control')) response.headers.set('Cache-Control', 'private, no-store');
  response.headers.set('Vary', 'Cookie');
  // Set after next(): Astro writes the page's policy header as it renders.
  const policy = response.headers.get('Content-Security-Policy');
  if (policy && isEditorAppPath(context.url.pathname)) response.headers.set('Content-Security-Policy', editorContentSecurityPolicy(policy));
  // Signing out also forgets what this browser kept for the member (drafts of posts in
  // localStorage), so the next person at a shared computer cannot read them.
  if (context.locals.signedOut) response.headers.set('Clear-Site-Data', '"storage"');
  return response;
}
