/**
 * What every directory page starts with: a signed-in, verified member, the database, and
 * the headers that keep the page out of search engines (it is also no-store, like every
 * members' page, from src/middleware.ts). Or the Response that sends a visitor to sign in.
 *   const page = await directoryPage(Astro); if (page instanceof Response) return page;
 */
import type { AstroGlobal } from 'astro';
import { requireMember, type Member } from '#lib/auth/guards.ts';
import { getDb, type Database } from '#lib/db.ts';

/** Sent with every directory page: people's names and contacts are for members, never for an index. */
export const NOT_INDEXED = 'noindex, nofollow, noarchive';

export async function directoryPage(Astro: AstroGlobal): Promise<{ member: Member; db: Database } | Response> {
  const member = requireMember(Astro);
  if (member instanceof Response) return member;
  Astro.response.headers.set('X-Robots-Tag', NOT_INDEXED);
  return { member, db: await getDb() };
}
