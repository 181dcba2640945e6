/** What an administrator may do to an account (src/lib/admin/permissions.ts), one predicate at a time. */
import { describe, expect, it } from 'vitest';
import type { User } from '#db/schema.ts';
import {
  canChangeRoleOf,
  canCreateResetLink,
  canReactivate,
  canSuspend,
  isOwnAccount,
  reactivateRefusal,
  resetLinkRefusal,
  roleChangeRefusal,
  suspendRefusal,
} from '#lib/admin/permissions.ts';

const admin = { userId: 1 };
const account = (over: Partial<User> = {}) => ({ id: 2, displayName: 'Sam Member', role: 'member', status: 'active', ...over }) as Pick<User, 'id' | 'displayName' | 'role' | 'status'>;
const own = account({ id: 1, displayName: 'Alex Admin', role: 'admin' });

describe('isOwnAccount', () => {
  it('is the acting administrator’s own account only; the command line has none', () => {
    expect(isOwnAccount(admin, own)).toBe(true);
    expect(isOwnAccount(admin, account())).toBe(false);
    expect(isOwnAccount({ userId: null }, own)).toBe(false);
  });
});

describe('roleChangeRefusal and canChangeRoleOf', () => {
  it('allows a new role for someone else', () => {
    expect(roleChangeRefusal(admin, account(), 'moderator')).toBeNull();
    expect(canChangeRoleOf(admin, account())).toBe(true);
  });

  it('refuses a change of one’s own role, and a role they already have, beside the role field', () => {
    expect(roleChangeRefusal(admin, own, 'member')).toMatchObject({ reason: 'self', field: 'role' });
    expect(canChangeRoleOf(admin, own)).toBe(false);
    expect(roleChangeRefusal(admin, account(), 'member')).toMatchObject({ reason: 'unchanged', field: 'role', message: 'Sam Member is already a member.' });
    expect(roleChangeRefusal(admin, account({ role: 'admin' }), 'admin')).toMatchObject({ message: 'Sam Member is already an administrator.' });
  });
});

describe('suspendRefusal and canSuspend', () => {
  it('allows suspending an active member other than oneself', () => {
    expect(suspendRefusal(admin, account())).toBeNull();
    expect(canSuspend(admin, account())).toBe(true);
  });

  it('refuses oneself and someone already suspended', () => {
    expect(suspendRefusal(admin, own)).toMatchObject({ reason: 'self' });
    expect(suspendRefusal(admin, account({ status: 'suspended' }))).toMatchObject({ reason: 'unchanged' });
    expect(canSuspend(admin, own)).toBe(false);
  });
});

describe('reactivateRefusal and canReactivate', () => {
  it('allows reactivating a suspended member, and refuses an active one', () => {
    expect(reactivateRefusal(account({ status: 'suspended' }))).toBeNull();
    expect(reactivateRefusal(account())).toMatchObject({ reason: 'unchanged' });
    expect(canReactivate(admin, account({ status: 'suspended' }))).toBe(true);
    expect(canReactivate(admin, account())).toBe(false);
  });
});

describe('resetLinkRefusal and canCreateResetLink', () => {
  it('makes reset links for active members only', () => {
    expect(resetLinkRefusal(account())).toBeNull();
    expect(resetLinkRefusal(account({ status: 'suspended' }))).toMatchObject({ reason: 'conflict' });
    expect(canCreateResetLink(account({ status: 'suspended' }))).toBe(false);
  });
});
