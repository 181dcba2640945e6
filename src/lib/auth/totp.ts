import { eq } from 'drizzle-orm';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { renderSVG } from 'uqr';
import { totpCredentials } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { totpEncryptionKey } from './keys.ts';
import { open, seal } from './secret-box.ts';

const PERIOD_S = 30;
const DIGITS = 6;
const ISSUER = 'NMSN portal';

export function newTotpKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(20));
}

export function currentStep(now = new Date()): number {
  return Math.floor(now.getTime() / 1000 / PERIOD_S);
}

/** The code for a step, as an authenticator app shows it. Tests use it too. */
export function totpCode(key: Uint8Array, step: number): string {
  return generateHOTP(key, BigInt(step), DIGITS);
}

/** What the member's authenticator app needs: a QR code (SVG, drawn on the server) and the key as text. */
export function enrolmentDetails(key: Uint8Array, accountName: string) {
  const uri = createTOTPKeyURI(ISSUER, accountName, key, PERIOD_S, DIGITS);
  return { uri, secret: encodeBase32UpperCaseNoPadding(key), qrSvg: renderSVG(uri, { border: 2 }) };
}

/**
 * Accepts the code for the current step or one either side (clock drift), but only
 * for a step later than the last one used, so a seen code cannot be replayed.
 * Returns the matched step, or null.
 */
export function matchTotp(key: Uint8Array, code: string, lastUsedStep: number, now = new Date()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const step = currentStep(now);
  let matched: number | null = null;
  for (const candidate of [step - 1, step, step + 1]) {
    // Compare every candidate, so timing does not show which one matched.
    if (candidate > lastUsedStep && constantTimeStringEqual(totpCode(key, candidate), code)) matched ??= candidate;
  }
  return matched;
}

function constantTimeStringEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export async function saveTotpKey(db: Database, userId: number, key: Uint8Array, usedStep: number): Promise<void> {
  const keySealed = seal(totpEncryptionKey(), key);
  await write(db, (tx) =>
    tx
      .insert(totpCredentials)
      .values({ userId, keySealed, lastUsedStep: usedStep })
      .onConflictDoUpdate({ target: totpCredentials.userId, set: { keySealed, lastUsedStep: usedStep } }),
  );
}

export async function hasTotp(db: Database, userId: number): Promise<boolean> {
  return Boolean(await db.select({ userId: totpCredentials.userId }).from(totpCredentials).where(eq(totpCredentials.userId, userId)).get());
}

/** Checks a member's code and uses it up: the same code is refused the second time. */
export async function verifyUserTotp(db: Database, userId: number, code: string, now = new Date()): Promise<boolean> {
  return write(db, async (tx) => {
    const credential = await tx.select().from(totpCredentials).where(eq(totpCredentials.userId, userId)).get();
    if (!credential) return false;
    const step = matchTotp(open(totpEncryptionKey(), credential.keySealed), code.trim(), credential.lastUsedStep, now);
    if (step === null) return false;
    await tx.update(totpCredentials).set({ lastUsedStep: step }).where(eq(totpCredentials.userId, userId));
    return true;
  });
}
