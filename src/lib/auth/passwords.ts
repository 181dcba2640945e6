import { readFileSync } from 'node:fs';
import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id minimum (m=19 MiB, t=2, p=1); @node-rs/argon2 uses argon2id.
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Spent on unknown accounts so that they take as long to refuse as known ones. */
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomFiller());
  await verifyPassword(await dummyHash, password);
}
function randomFiller() {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64');
}

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    commonPasswordList()
      .split('\n')
      .filter((line) => line && !line.startsWith('#')),
  );
  return common;
}

/**
 * The deny-list's text. In the built server (bundled by Vite) there is no file beside the
 * chunk to read, so Vite inlines it there (import.meta.glob, eager ?raw); plain Node (CLI,
 * seed, scripts), where import.meta.env does not exist, reads the file beside this one.
 */
function commonPasswordList(): string {
  if (import.meta.env) {
    const bundled = import.meta.glob<string>('./common-passwords.txt', { query: '?raw', import: 'default', eager: true });
    const text = Object.values(bundled)[0];
    if (text) return text;
  }
  return readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
}

/**
 * NCSC/NIST rules: length, and not a known common password. No composition rules.
 * Returns the reason a password is refused, in words for the person choosing it.
 */
export function passwordProblem(password: string, context: { email?: string; displayName?: string } = {}): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters. A few unrelated words make a good password.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'This password is too common: it appears in lists attackers try first. Choose another.';
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) return 'Do not use your email address in your password.';
  if (/^(.)\1+$/.test(password)) return 'Do not repeat one character.';
  return null;
}
