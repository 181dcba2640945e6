/**
 * Who may do what in the forum, after Discourse's Guardian: plain predicates over the
 * member and the rows. Lib functions ask them once per operation before acting; pages
 * and components ask the same ones to decide what to show, so a control is shown exactly
 * when the action behind it would be allowed. tests/unit/forum-permissions.test.ts has a
 * test for each.
 *
 * Visibility is checked first and answered "not found" by the callers (ids cannot be
 * probed); the predicates below about doing things assume the member can see the row.
 */
import { isNull, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { roles, threads, type Category, type OrganisationType, type Post, type Role, type Thread } from '#db/schema.ts';
import { hasRole } from '#lib/auth/roles.ts';
import { refuse, type Refusal } from '#lib/result.ts';
import type { ForumActor } from './access.ts';

type Who = Pick<ForumActor, 'role'>;
type Member = Pick<ForumActor, 'id' | 'role'>;
type Restriction = Pick<Category, 'allowedRoles' | 'allowedOrganisationTypes'>;

/** Moderators, editors and administrators moderate the forum, and so see all of it. */
export function canModerate(actor: Who): boolean {
  return hasRole(actor.role, 'moderator');
}

/**
 * The one rule for restricted categories: open to all members unless it lists roles or
 * organisation types; then a member sees it if their role or their organisation's type
 * is listed. Moderators see every category, so they can moderate it.
 */
export function canSeeCategory(actor: Pick<ForumActor, 'role' | 'organisationType'>, category: Restriction): boolean {
  const roles = category.allowedRoles ?? [];
  const types = category.allowedOrganisationTypes ?? [];
  if (roles.length === 0 && types.length === 0) return true;
  if (canModerate(actor)) return true;
  return roles.includes(actor.role) || types.includes(actor.organisationType);
}

/** A value, or a column or expression holding it. */
type Expr<T> = T | SQLWrapper;
/** A list as the JSON text its column holds, or the column itself. */
const jsonList = (value: Expr<readonly string[] | null>): SQLWrapper | string | null =>
  value === null ? null : Array.isArray(value) ? JSON.stringify(value) : (value as SQLWrapper);

/** Roles that see every category (as `canModerate` says). */
const seeEverything = roles.filter((role) => hasRole(role, 'moderator'));

/**
 * `canSeeCategory` as a SQL condition, for queries that must filter before LIMIT or
 * COUNT: the member's role and organisation type, and the category's two lists, each a
 * value or a column. A test checks it agrees with `canSeeCategory` for every role,
 * organisation type and kind of restriction.
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

/** A thread: its category is open to them, and it is not hidden (moderators see hidden threads, marked). */
export function canSeeThread(actor: Pick<ForumActor, 'role' | 'organisationType'>, thread: Pick<Thread, 'hiddenAt'>, category: Restriction): boolean {
  return canSeeCategory(actor, category) && (!thread.hiddenAt || canModerate(actor));
}

/** The hidden-thread half of `canSeeThread` as a condition on `threads`; undefined when there is none. */
export function visibleThreadsSql(actor: Who): SQL | undefined {
  return canModerate(actor) ? undefined : isNull(threads.hiddenAt);
}

/** Starting a thread: in any category they can see. */
export function canStartThread(actor: Pick<ForumActor, 'role' | 'organisationType'>, category: Restriction): boolean {
  return canSeeCategory(actor, category);
}

/** Replying (and quoting) in a thread they can see: not once it is locked, unless they moderate. */
export function canReply(actor: Who, thread: Pick<Thread, 'locked'>): boolean {
  return !thread.locked || canModerate(actor);
}

/** Seeing a post's text, and so its history: moderators always; members unless it is hidden or deleted. */
export function canReadPostText(actor: Who, post: Pick<Post, 'hiddenAt' | 'deletedAt'>): boolean {
  return canModerate(actor) || (!post.hiddenAt && !post.deletedAt);
}

/** Quoting a post: its text is theirs to read, and it is not deleted (moderators included). */
export function canQuotePost(actor: Who, post: Pick<Post, 'hiddenAt' | 'deletedAt'>): boolean {
  return canReadPostText(actor, post) && !post.deletedAt;
}

type ChangeablePost = Pick<Post, 'authorId' | 'hiddenAt' | 'deletedAt'>;

/**
 * Why this member may not edit or delete this post, or null when they may. A deleted
 * post is changed by no one; moderators may change any other post; authors their own,
 * unless a moderator hid it or the thread is locked.
 */
export function postChangeRefusal(actor: Member, post: ChangeablePost, thread: Pick<Thread, 'locked'>, verb: 'edit' | 'delete'): Refusal | null {
  if (post.deletedAt) return refuse('forbidden', 'This post has been deleted, so it can no longer be changed.');
  if (canModerate(actor)) return null;
  if (post.authorId !== actor.id) return refuse('forbidden', `You can only ${verb} your own posts.`);
  if (post.hiddenAt) return refuse('forbidden', 'A moderator has hidden this post, so it cannot be changed. Contact the moderators if you think this is wrong.');
  if (thread.locked) return refuse('locked', 'This thread is locked: its posts can no longer be changed.');
  return null;
}

/** Editing or deleting a post: the Edit and Delete controls follow this. */
export function canChangePost(actor: Member, post: ChangeablePost, thread: Pick<Thread, 'locked'>): boolean {
  return postChangeRefusal(actor, post, thread, 'edit') === null;
}

/** As `postChangeRefusal`, except that deleting a deleted post again is a no-op its author or a moderator may ask for. */
export function postDeleteRefusal(actor: Member, post: ChangeablePost, thread: Pick<Thread, 'locked'>): Refusal | null {
  if (post.deletedAt && (post.authorId === actor.id || canModerate(actor))) return null;
  return postChangeRefusal(actor, post, thread, 'delete');
}

/**
 * Why this member may not hide or restore this post, or null when they may: moderators
 * only, and not a post its author deleted (there is nothing left to hide, and its author
 * must not be emailed that it was hidden).
 */
export function postModerationRefusal(actor: Who, post: Pick<Post, 'deletedAt'>): Refusal | null {
  if (!canModerate(actor)) return refuse('forbidden', 'Only moderators can hide or restore posts.');
  if (post.deletedAt) return refuse('forbidden', 'Its author deleted this post, so there is nothing to hide or restore.');
  return null;
}

/** Hiding or restoring a post: the moderator's Hide and Restore controls follow this. */
export function canModeratePost(actor: Who, post: Pick<Post, 'deletedAt'>): boolean {
  return postModerationRefusal(actor, post) === null;
}

/** Reporting a post to the moderators: one whose text they can read, and not their own. */
export function canReportPost(actor: Member, post: ChangeablePost): boolean {
  return canReadPostText(actor, post) && post.authorId !== actor.id;
}
