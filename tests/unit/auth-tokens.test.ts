import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashToken, randomToken, sameHash } from '#lib/auth/tokens.ts';

describe('random tokens', () => {
  it('are base32 (URL- and cookie-safe) with the entropy asked for, and never repeat', () => {
    const tokens = Array.from({ length: 100 }, () => randomToken(32));
    for (const token of tokens) expect(token).toMatch(/^[a-z2-7]{52}$/);
    expect(new Set(tokens).size).toBe(100);
    expect(randomToken(15)).toMatch(/^[a-z2-7]{24}$/);
  });

  it('are stored as their SHA-256 only', () => {
    const token = randomToken();
    expect(hashToken(token).equals(createHash('sha256').update(token).digest())).toBe(true);
    expect(hashToken(token)).toHaveLength(32);
  });
});

describe('comparing hashes', () => {
  it('matches equal hashes and refuses a different one of the same length', () => {
    const a = hashToken('one');
    expect(sameHash(a, hashToken('one'))).toBe(true);
    expect(sameHash(a, hashToken('two'))).toBe(false);
    const lastBit = Buffer.from(a);
    lastBit[31]! ^= 0x01;
    expect(sameHash(a, lastBit)).toBe(false);
  });

  it('refuses hashes of different lengths', () => {
    const a = hashToken('one');
    expect(sameHash(a, a.subarray(0, 16))).toBe(false);
    expect(sameHash(a, new Uint8Array(0))).toBe(false);
  });
});
