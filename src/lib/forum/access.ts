import { eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { organisations, roles, users, type Category, type OrganisationType, type Role } from '#db/schema.ts';
import type { Queryable } from '#lib/db.ts';
import { hasRole } from '#lib/auth/roles.ts';

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

/** A value, or a column or expression holding it. */
type Expr<T> = T | SQLWrapper;
/** A list as the JSON text its column holds, or the column itself. */
const jsonList = (value: Expr<readonly string[] | null>): SQLWrapper | string | null =>
  value === null ? null : Array.isArray(value) ? JSON.stringify(value) : (value as SQLWrapper);

/** Roles that see every category (moderators and above, as `isModerator` says). */
const seeEverything = roles.filter((role) => hasRole(role, 'moderator'));

/**
 * `canSeeCategory` as a SQL condition, for queries that must
 * filter before LIMIT or COUNT: the member's role and organisation type, and the
 * category's two lists, each a value or a column. The integration tests check it agrees
 * with `canSeeCategory` for every role, organisation type and kind of restriction.
 */
export function canSeeCategorySql(
  member: { role: Expr<Role>; organisationType: Expr<OrganisationType> },
  category: { allowedRoles: Expr<Role[] | null>; allowedOrganisationTypes: Expr<OrganisationType[] | null> },
): SQL {
  const allowedRoles = jsonList(category.allowedRoles);
  const allowedTypes = jsonList(category.allowedOrganisationTypes);
  return sql`(
    (coalesce(json_array_length(${allowedRoles}), 0) = 0 and coalesce(json_array_length(${allowedTypes}), 0) = 0)
    or ${member.role} in ${seeEverything}
    or exists (select 1 from json_each(coalesce(${allowedRoles}, '[]')) where value = ${member.role})
    or exists (select 1 from json_each(coalesce(${allowedTypes}, '[]')) where value = ${member.organisationType})
  )`;
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
