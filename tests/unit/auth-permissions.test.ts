/** Who may use the members' area (src/lib/auth/permissions.ts): the one rule behind requireMember and requireActor. */
import { describe, expect, it } from 'vitest';
import { accessProblem, canUseMembersArea } from '#lib/auth/permissions.ts';

const verified = { mfaVerified: true };
const halfSignedIn = { mfaVerified: false };

describe('accessProblem', () => {
  it('asks a visitor to sign in, and a member without the second factor to finish it', () => {
    expect(accessProblem(null, null)).toBe('sign-in');
    expect(accessProblem({ role: 'admin' }, halfSignedIn)).toBe('second-factor');
  });

  it('lets a verified member in when their role is at least the one asked for', () => {
    expect(accessProblem({ role: 'member' }, verified)).toBeNull();
    expect(accessProblem({ role: 'member' }, verified, 'moderator')).toBe('role');
    expect(accessProblem({ role: 'editor' }, verified, 'moderator')).toBeNull();
    expect(accessProblem({ role: 'moderator' }, verified, 'admin')).toBe('role');
    expect(accessProblem({ role: 'admin' }, verified, 'admin')).toBeNull();
  });
});

describe('canUseMembersArea', () => {
  it('is true exactly when there is no problem', () => {
    expect(canUseMembersArea({ role: 'member' }, verified)).toBe(true);
    expect(canUseMembersArea({ role: 'member' }, halfSignedIn)).toBe(false);
    expect(canUseMembersArea(null, null)).toBe(false);
  });
});
