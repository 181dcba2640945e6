/**
 * What an administrator may do to a member's account. The admin functions (./members.ts)
 * refuse with these before changing anything, and /admin/members/<id> shows only the
 * forms these allow, so the page and the server cannot disagree. Who is an administrator
 * at all is the members' area rule (src/lib/auth/permissions.ts, role 'admin').
 * tests/unit/admin-permissions.test.ts has a test for each.
 */
import type { Role, User } from '#db/schema.ts';
import { roleLabels } from '#lib/auth/roles.ts';
import { refuse, type Refusal } from '#lib/result.ts';
import type { Actor } from './common.ts';

type Target = Pick<User, 'id' | 'displayName' | 'role' | 'status'>;

/** "an administrator", "a member". */
function withArticle(label: string): string {
  return `${/^[AEIOU]/.test(label) ? 'an' : 'a'} ${label.toLowerCase()}`;
}

/** Their own account: an administrator cannot change their own role or suspend themselves, so the network always keeps one. */
export function isOwnAccount(actor: Pick<Actor, 'userId'>, target: Pick<User, 'id'>): boolean {
  return target.id === actor.userId;
}

/** An erased account is only a name ("Former member") kept for the record: nothing more is done to it. */
function erasedRefusal(target: Target): Refusal | null {
  return target.status === 'erased' ? refuse('conflict', 'This account has been erased. Nothing more can be changed on it.') : null;
}

export function isErased(target: Pick<User, 'status'>): boolean {
  return target.status === 'erased';
}

/** Why this role change may not be made, or null. */
export function roleChangeRefusal(actor: Pick<Actor, 'userId'>, target: Target, role: Role): Refusal | null {
  const erased = erasedRefusal(target);
  if (erased) return erased;
  if (isOwnAccount(actor, target) && role !== target.role) return refuse('self', 'You cannot change your own role. Ask another administrator to do it.', 'role');
  if (role === target.role) return refuse('unchanged', `${target.displayName} is already ${withArticle(roleLabels[role])}.`, 'role');
  return null;
}

/** Whether the role form is offered: for anyone's account but one's own. */
export function canChangeRoleOf(actor: Pick<Actor, 'userId'>, target: Pick<User, 'id' | 'status'>): boolean {
  return !isOwnAccount(actor, target) && !isErased(target);
}

/** Why this member may not be suspended, or null. */
export function suspendRefusal(actor: Pick<Actor, 'userId'>, target: Target): Refusal | null {
  const erased = erasedRefusal(target);
  if (erased) return erased;
  if (isOwnAccount(actor, target)) return refuse('self', 'You cannot suspend your own account. Ask another administrator to do it.');
  if (target.status === 'suspended') return refuse('unchanged', `${target.displayName} is already suspended.`);
  return null;
}

export function canSuspend(actor: Pick<Actor, 'userId'>, target: Target): boolean {
  return suspendRefusal(actor, target) === null;
}

/** Why this member may not be reactivated, or null. */
export function reactivateRefusal(target: Target): Refusal | null {
  return erasedRefusal(target) ?? (target.status === 'active' ? refuse('unchanged', `${target.displayName} is already active.`) : null);
}

export function canReactivate(actor: Pick<Actor, 'userId'>, target: Target): boolean {
  return !isOwnAccount(actor, target) && reactivateRefusal(target) === null;
}

/** Why no password reset link may be made for this member, or null: only for an active member. */
export function resetLinkRefusal(target: Target): Refusal | null {
  return erasedRefusal(target) ?? (target.status !== 'active' ? refuse('conflict', `${target.displayName} is suspended. Reactivate them first.`) : null);
}

export function canCreateResetLink(target: Target): boolean {
  return resetLinkRefusal(target) === null;
}

/**
 * Why this member's second factor may not be reset, or null. Not one's own: an
 * administrator who lost their phone asks another administrator (or uses the command
 * line on the server), so no one can strip their own account's protection from a
 * session that may not be theirs.
 */
export function secondFactorResetRefusal(actor: Pick<Actor, 'userId'>, target: Target): Refusal | null {
  const erased = erasedRefusal(target);
  if (erased) return erased;
  if (isOwnAccount(actor, target)) return refuse('self', 'You cannot reset your own second factor. Ask another administrator to do it.');
  return null;
}

export function canResetSecondFactor(actor: Pick<Actor, 'userId'>, target: Target): boolean {
  return secondFactorResetRefusal(actor, target) === null;
}
