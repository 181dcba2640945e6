/**
 * What every directory page starts with: a signed-in, verified member, the database, and
 * the headers that keep the page out of search engines (it is also no-store, like every
 * members' page, from src/middleware.ts). Or the Response that sends a visitor to sign in.
 *   const page = await directoryPage(Astro); if (page instanceof Response) return page;
 */
import type { AstroGlobal } from 'astro';
import { requireMember, type Member } from '#lib/auth/guards.ts';
import { getDb, type Database } from '#lib/db.ts';
import { forumActorOf, type ForumActor } from '#lib/forum/access.ts';
import { parseId } from '#lib/params.ts';
import { findPerson, type Person } from './directory.ts';

/** Sent with every directory page: people's names and contacts are for members, never for an index. */
export const NOT_INDEXED = 'noindex, nofollow, noarchive';

export async function directoryPage(Astro: AstroGlobal): Promise<{ member: Member; db: Database } | Response> {
  const member = requireMember(Astro);
  if (member instanceof Response) return member;
  Astro.response.headers.set('X-Robots-Tag', NOT_INDEXED);
  return { member, db: await getDb() };
}

/**
 * What every page about one person starts with (/members/people/[id] and the pages below
 * it): directoryPage, the person the address names, and the viewer as the forum sees them.
 * `person` is null for an unknown, suspended or erased member alike: the same "not found".
 */
export async function personPage(Astro: AstroGlobal): Promise<{ member: Member; db: Database; person: Person | null; actor: ForumActor } | Response> {
  const access = await directoryPage(Astro);
  if (access instanceof Response) return access;
  const id = parseId(Astro.params.id);
  const person = id === null ? null : await findPerson(access.db, id);
  return { ...access, person, actor: forumActorOf(access.member.user) };
}
