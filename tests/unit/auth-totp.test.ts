import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { currentStep, matchTotp, newTotpKey, totpCode } from '#lib/auth/totp.ts';

// keys.ts reads this on first use; without it a key file would be written into data/.
process.env.TOTP_ENCRYPTION_KEY = randomBytes(32).toString('base64');

const now = new Date('2026-11-29T09:00:10Z');
const step = currentStep(now);
const key = newTotpKey();

/** A 6-digit code that is none of the codes for the steps around `step`. */
function wrongCode(): string {
  const right = new Set([step - 1, step, step + 1].map((s) => totpCode(key, s)));
  const code = totpCode(key, step);
  for (let digit = 0; ; digit++) {
    const candidate = code.slice(0, 5) + String((Number(code[5]) + 1 + digit) % 10);
    if (!right.has(candidate)) return candidate;
  }
}

describe('a TOTP code', () => {
  it('is six digits, like an authenticator app shows', () => {
    expect(totpCode(key, step)).toMatch(/^\d{6}$/);
  });

  it('is accepted for the current 30-second step and one either side (clock drift)', () => {
    expect(matchTotp(key, totpCode(key, step), 0, now)).toBe(step);
    expect(matchTotp(key, totpCode(key, step - 1), 0, now)).toBe(step - 1);
    expect(matchTotp(key, totpCode(key, step + 1), 0, now)).toBe(step + 1);
  });

  it('is refused two steps away', () => {
    expect(matchTotp(key, totpCode(key, step - 2), 0, now)).toBeNull();
    expect(matchTotp(key, totpCode(key, step + 2), 0, now)).toBeNull();
  });

  it('is refused for a step at or before the last one used, so a seen code cannot be replayed', () => {
    expect(matchTotp(key, totpCode(key, step), step, now)).toBeNull();
    expect(matchTotp(key, totpCode(key, step - 1), step, now)).toBeNull();
    expect(matchTotp(key, totpCode(key, step - 1), step - 1, now)).toBeNull();
    // The next step's code is still good once the current one is used.
    expect(matchTotp(key, totpCode(key, step + 1), step, now)).toBe(step + 1);
  });

  it('is refused when wrong, even with the right length', () => {
    const wrong = wrongCode();
    expect(wrong).toHaveLength(6);
    expect(matchTotp(key, wrong, 0, now)).toBeNull();
  });

  it('is refused from another key', () => {
    const otherKey = newTotpKey();
    const code = totpCode(otherKey, step);
    if ([step - 1, step, step + 1].some((s) => totpCode(key, s) === code)) return; // one chance in 333,000
    expect(matchTotp(key, code, 0, now)).toBeNull();
  });

  it.each(['', '12345', '1234567', 'abcdef', ' 123456', '12 345'])('is refused when not six digits (%j)', (code) => {
    expect(matchTotp(key, code, 0, now)).toBeNull();
  });
});
