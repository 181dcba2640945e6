import type { APIRoute } from 'astro';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { categories } from '#db/schema.ts';
import { getDb } from '#lib/db.ts';
import { DISPLAY_NAME_MAX } from '#lib/auth/account.ts';
import { forumActorOf } from '#lib/forum/access.ts';
import { canSeeCategory } from '#lib/forum/permissions.ts';
import { suggestMentionNames } from '#lib/forum/mentions.ts';
import { findVisibleThread } from '#lib/forum/threads.ts';
import { idField } from '#lib/params.ts';

export const prerender = false;

const id = idField('Give the number of a category or a thread');
const querySchema = z
  .object({ q: z.string().trim().min(1).max(DISPLAY_NAME_MAX), category: id.optional(), thread: id.optional() })
  .refine((query) => (query.category === undefined) !== (query.thread === undefined), 'Give a category or a thread, not both');

function json(body: unknown, status = 200): Response {
  // Members' names: never kept by a shared cache or the browser's.
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'private, no-store' } });
}

/** Only the portal's own pages may ask: the browser says so in Sec-Fetch-Site, or else in Origin. */
function fromOwnPage(request: Request, url: URL): boolean {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin';
  return request.headers.get('origin') === url.origin;
}

/**
 * The composer's @mention autocomplete: GET /forum/mentions.json?category=<id>&q=<prefix>
 * (or thread=<id> instead of category) → up to 8 `{ displayName }` of active members who
 * can see that category, whose name starts with the prefix. Signed-in members only, for a
 * category they can see themselves (any other is 404, whether or not it exists).
 */
export const GET: APIRoute = async (context) => {
  const { user, session } = context.locals;
  if (!user || !session?.mfaVerified) return json({ error: 'Sign in to do this.' }, 401);
  if (!fromOwnPage(context.request, context.url)) return json({ error: 'Only the portal’s own pages may ask for this.' }, 403);
  const parsed = querySchema.safeParse(Object.fromEntries(context.url.searchParams));
  if (!parsed.success) return json({ error: 'Give q (the start of a name) and a category or thread id.' }, 400);

  const db = await getDb();
  const actor = forumActorOf(user);
  const query = parsed.data;
  const category =
    query.thread !== undefined
      ? ((await findVisibleThread(db, actor, query.thread))?.category ?? null)
      : ((await db.select().from(categories).where(eq(categories.id, query.category!)).get()) ?? null);
  if (!category || !canSeeCategory(actor, category)) return json({ error: 'That category or thread does not exist, or you cannot see it.' }, 404);
  return json(await suggestMentionNames(db, actor, category, query.q));
};
