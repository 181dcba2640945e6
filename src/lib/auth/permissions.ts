/**
 * Who may use the members' area: signed in, second factor done, and holding at least the
 * role asked for. Pages (`requireMember`) and Actions (`requireActor`) in ./guards.ts ask
 * this one question and differ only in how they answer a refusal (a redirect or a 403
 * page; a thrown 401 or 403).
 */
import type { Role, Session, User } from '#db/schema.ts';
import { hasRole } from './roles.ts';

/** What stands between a visitor and a members' page or action. */
export type AccessProblem = 'sign-in' | 'second-factor' | 'role';

export function accessProblem(user: Pick<User, 'role'> | null, session: Pick<Session, 'mfaVerified'> | null, role: Role = 'member'): AccessProblem | null {
  if (!user || !session) return 'sign-in';
  if (!session.mfaVerified) return 'second-factor';
  if (!hasRole(user.role, role)) return 'role';
  return null;
}

export function canUseMembersArea(user: Pick<User, 'role'> | null, session: Pick<Session, 'mfaVerified'> | null, role: Role = 'member'): boolean {
  return accessProblem(user, session, role) === null;
}
