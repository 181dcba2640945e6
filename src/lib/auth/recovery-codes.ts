import { and, eq, isNull } from 'drizzle-orm';
import { recoveryCodes } from '#db/schema.ts';
import { write, type Database, type Transaction } from '#lib/db.ts';
import { enqueueMail } from '#lib/mail/outbox.ts';
import { hashToken, randomToken } from './tokens.ts';

const COUNT = 10;

/** Formats 10 random characters as xxxxx-xxxxx, easy to read out and type. */
function newCode(): string {
  const raw = randomToken(8).slice(0, 10);
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

function normalise(code: string): string {
  return code.trim().toLowerCase().replace(/[\s-]/g, '');
}

/** Replaces a member's recovery codes; the plain codes are shown once and only hashes kept. */
export async function regenerateRecoveryCodes(db: Database, userId: number): Promise<string[]> {
  return write(db, (tx) => replaceRecoveryCodesIn(tx, userId));
}

/** The same, inside a write already under way (MFA enrolment saves key and codes together). */
export async function replaceRecoveryCodesIn(tx: Transaction, userId: number): Promise<string[]> {
  const codes = Array.from({ length: COUNT }, newCode);
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx.insert(recoveryCodes).values(codes.map((c) => ({ userId, codeHash: hashToken(normalise(c)) })));
  return codes;
}

/** Uses up one unused recovery code, and tells the member by email; false if it is wrong or already used. */
export async function useRecoveryCode(db: Database, userId: number, code: string, now = new Date()): Promise<boolean> {
  const codeHash = hashToken(normalise(code));
  // The lookup is by hash, so there is no secret-dependent comparison to time.
  return write(db, async (tx) => {
    const result = await tx
      .update(recoveryCodes)
      .set({ usedAt: now })
      .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)));
    if (result.rowsAffected !== 1) return false;
    const unused = await tx.select({ id: recoveryCodes.id }).from(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))).all();
    await enqueueMail(tx, { kind: 'recovery-code-used', userId, data: { remaining: unused.length } }, now);
    return true;
  });
}

export async function unusedRecoveryCodeCount(db: Database, userId: number): Promise<number> {
  const rows = await db.select({ id: recoveryCodes.id }).from(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))).all();
  return rows.length;
}
