/**
 * What every forum page starts with: the signed-in member as a forum actor, and the
 * database; or the Response that sends a visitor to sign in (src/lib/auth/guards.ts).
 *   const page = await forumPage(Astro); if (page instanceof Response) return page;
 */
import type { AstroGlobal } from 'astro';
import { requireMember, type Member } from '#lib/auth/guards.ts';
import { getDb, type Database } from '#lib/db.ts';
import { forumActorOf, type ForumActor } from './access.ts';

export async function forumPage(Astro: AstroGlobal): Promise<{ member: Member; actor: ForumActor; db: Database } | Response> {
  const member = requireMember(Astro);
  if (member instanceof Response) return member;
  return { member, actor: forumActorOf(member.user), db: await getDb() };
}
