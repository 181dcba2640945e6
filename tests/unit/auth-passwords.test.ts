import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX, hashPassword, passwordProblem, verifyPassword } from '#lib/auth/passwords.ts';

const commonList = readFileSync(new URL('../../src/lib/auth/common-passwords.txt', import.meta.url), 'utf8').split('\n');

describe('password hashing', () => {
  it('uses argon2id with m=19456 KiB, t=2, p=1 (OWASP minimum) and a random salt', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hashPassword('correct horse battery staple')).not.toBe(hash);
  });

  it('verifies the right password and refuses a wrong one, or a broken hash', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse battery stapla')).toBe(false);
    expect(await verifyPassword('not a hash', 'correct horse battery staple')).toBe(false);
  });
});

describe('choosing a password', () => {
  it('refuses fewer than 12 characters', () => {
    expect(passwordProblem('elevenchars')).toMatch(/at least 12 characters/);
  });

  it('refuses a password on the shipped list of common passwords, whatever its case', () => {
    expect(commonList).toContain('qwertyqwerty');
    expect(passwordProblem('qwertyqwerty')).toMatch(/too common/);
    expect(passwordProblem('QwertyQwerty')).toMatch(/too common/);
    expect(commonList).toContain('passwordpassword');
    expect(passwordProblem('passwordpassword')).toMatch(/too common/);
  });

  it('refuses a password containing the email address’s name', () => {
    expect(passwordProblem('Jo.Bloggs-winter-garden', { email: 'jo.bloggs@police.example.uk' })).toMatch(/email address/);
  });

  it('refuses one character repeated', () => {
    expect(passwordProblem('zzzzzzzzzzzzzz')).not.toBeNull();
  });

  it('accepts a passphrase of unrelated words, with no composition rules', () => {
    expect(passwordProblem('marble kettle orchard lantern', { email: 'jo.bloggs@police.example.uk' })).toBeNull();
  });

  it('accepts 64 characters and more (password managers), up to the maximum', () => {
    expect(passwordProblem('x7'.repeat(32))).toBeNull();
    expect(passwordProblem('Q9v#'.repeat(25))).toBeNull();
    expect(passwordProblem('a1'.repeat(PASSWORD_MAX / 2))).toBeNull();
    expect(passwordProblem('a1'.repeat(PASSWORD_MAX / 2) + 'b')).toMatch(/at most/);
  });
});
