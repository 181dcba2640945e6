import { eq } from 'drizzle-orm';
import { organisations, users, type Category, type OrganisationType, type Role } from '../../../db/schema.ts';
import type { Queryable } from '../db.ts';
import { hasRole } from '../auth/roles.ts';

/** Who is acting in the forum: what the permission rules need to know about a member. */
export interface ForumActor {
  id: number;
  displayName: string;
  role: Role;
  organisationType: OrganisationType;
}

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

/**
 * The one rule for restricted categories: open to all members unless it lists roles or
 * organisation types; then a member sees it if their role or their organisation's type
 * is listed. Moderators and above see every category, so they can moderate it.
 */
export function canSeeCategory(actor: ForumActor, category: Pick<Category, 'allowedRoles' | 'allowedOrganisationTypes'>): boolean {
  const roles = category.allowedRoles ?? [];
  const types = category.allowedOrganisationTypes ?? [];
  if (roles.length === 0 && types.length === 0) return true;
  if (isModerator(actor)) return true;
  return roles.includes(actor.role) || types.includes(actor.organisationType);
}

export function isModerator(actor: Pick<ForumActor, 'role'>): boolean {
  return hasRole(actor.role, 'moderator');
}

/** Why a forum action was refused, in words for the member; the HTTP status follows the kind. */
export type Refusal =
  | { ok: false; reason: 'not-found'; message: string }
  | { ok: false; reason: 'forbidden'; message: string }
  | { ok: false; reason: 'locked'; message: string }
  | { ok: false; reason: 'rate-limited'; message: string; retryAfterSeconds: number }
  | { ok: false; reason: 'invalid'; message: string; field?: string };

export const notFound: Refusal = { ok: false, reason: 'not-found', message: 'That thread or post does not exist, or you cannot see it.' };
