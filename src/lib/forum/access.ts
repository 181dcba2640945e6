/**
 * Who is acting in the forum: what the permission rules (./permissions.ts) need to know
 * about a member. A request has it already: the session is loaded with the member's
 * organisation type in one query (src/lib/auth/sessions.ts), and `forumActorOf` picks it.
 */
import { eq } from 'drizzle-orm';
import { organisations, users, type OrganisationType, type Role } from '#db/schema.ts';
import type { Queryable } from '#lib/db.ts';
import { refuse } from '#lib/result.ts';

export interface ForumActor {
  id: number;
  displayName: string;
  role: Role;
  organisationType: OrganisationType;
}

/** The forum actor of a signed-in member, from what the session loaded. */
export function forumActorOf(user: ForumActor): ForumActor {
  return { id: user.id, displayName: user.displayName, role: user.role, organisationType: user.organisationType };
}

/** A member as a forum actor, read from the database (the CLI, tests, benchmarks). */
export async function forumActor(db: Queryable, userId: number): Promise<ForumActor> {
  const row = await db
    .select({ id: users.id, displayName: users.displayName, role: users.role, organisationType: organisations.type })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.id, userId))
    .get();
  if (!row) throw new Error(`No member ${userId}`);
  return row;
}

/** What a member gets for a thread or post that does not exist or is not theirs to see. */
export const notFound = refuse('not-found', 'That thread or post does not exist, or you cannot see it.');
