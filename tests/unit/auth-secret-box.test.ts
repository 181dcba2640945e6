import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from '#lib/auth/secret-box.ts';

const key = randomBytes(32);
const secret = new TextEncoder().encode('a TOTP key of twenty');

describe('the secret box (AES-256-GCM)', () => {
  it('gives back what was sealed', () => {
    expect(open(key, seal(key, secret)).equals(Buffer.from(secret))).toBe(true);
  });

  it('seals the same secret differently each time (random IV), without the plaintext showing', () => {
    const a = seal(key, secret);
    const b = seal(key, secret);
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from(secret))).toBe(false);
    expect(a).toHaveLength(12 + secret.length + 16);
  });

  it.each([
    ['the IV', 0],
    ['the ciphertext', 12],
    ['the tag', -1],
  ])('refuses to open a box with one bit of %s changed', (_part, index) => {
    const sealed = seal(key, secret);
    const i = index < 0 ? sealed.length + index : index;
    sealed[i]! ^= 0x01;
    expect(() => open(key, sealed)).toThrow();
  });

  it('refuses to open a box with another key', () => {
    expect(() => open(randomBytes(32), seal(key, secret))).toThrow();
  });

  it('refuses a truncated box', () => {
    expect(() => open(key, seal(key, secret).subarray(0, 20))).toThrow();
  });
});
