import type { Role } from '#db/schema.ts';

/** Roles in ascending power: each role may do everything the ones before it may. */
const rank: Record<Role, number> = { member: 0, moderator: 1, editor: 2, admin: 3 };

export function hasRole(userRole: Role, needed: Role): boolean {
  return rank[userRole] >= rank[needed];
}

export const roleLabels: Record<Role, string> = {
  member: 'Member',
  moderator: 'Moderator',
  editor: 'Editor',
  admin: 'Administrator',
};
