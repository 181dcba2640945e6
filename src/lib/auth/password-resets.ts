import { and, eq, gt, isNull } from 'drizzle-orm';
import { passwordResets, users } from '#db/schema.ts';
import { write, type Database, type Transaction } from '#lib/db.ts';
import { enqueueMail } from '#lib/mail/outbox.ts';
import { sealLinkToken } from '#lib/mail/tokens.ts';
import { auditIn } from './audit.ts';
import { hashPassword } from './passwords.ts';
import { hashToken, randomToken } from './tokens.ts';

/** Said for every reset link that no longer works, by the page and by the action. */
export const RESET_GONE_MESSAGE =
  'This password reset link has expired or has already been used. Ask for a new one with “I have forgotten my password” on the sign-in page.';

/** A reset link works once, for one hour. */
export const RESET_TTL_MS = 60 * 60 * 1000;

export interface ResetOptions {
  /** Who acts: an administrator's id, or null (the command line, or the member themself on /forgot). */
  actorId: number | null;
  /** Who asked: said in the email, so the member knows why it came. */
  requestedBy: 'member' | 'administrator';
  ip?: string | null;
  now?: Date;
  /** Extra facts for the audit row (e.g. `{ via: 'cli' }`). */
  auditDetail?: Record<string, unknown>;
}

/**
 * Creates a reset link for a member and queues the email that carries it; only the
 * token's hash is stored (and the token, sealed, in the outbox until the email is sent).
 * Earlier open links stop working.
 */
export async function createPasswordReset(db: Database, userId: number, options: ResetOptions): Promise<{ token: string; path: string }> {
  return write(db, (tx) => createPasswordResetIn(tx, userId, options));
}

/** The same, inside a write already under way (the /forgot request and its audit row commit together). */
export async function createPasswordResetIn(tx: Transaction, userId: number, options: ResetOptions): Promise<{ token: string; path: string }> {
  const now = options.now ?? new Date();
  const token = randomToken(32);
  await tx.update(passwordResets).set({ usedAt: now }).where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt)));
  const [reset] = await tx
    .insert(passwordResets)
    .values({ tokenHash: hashToken(token), userId, createdAt: now, expiresAt: new Date(now.getTime() + RESET_TTL_MS) })
    .returning({ id: passwordResets.id });
  await auditIn(tx, { actorId: options.actorId, action: 'password-reset-create', outcome: 'success', targetType: 'user', targetId: userId, ip: options.ip ?? null, detail: options.auditDetail }, now);
  await enqueueMail(tx, { kind: 'password-reset', userId, ref: `password-reset:${reset!.id}`, data: { resetId: reset!.id, token: sealLinkToken(token), requestedBy: options.requestedBy } }, now);
  return { token, path: `/reset/${token}` };
}

/** The member an open reset token belongs to, or null. */
export async function findOpenReset(db: Database, token: string, now = new Date()) {
  if (!/^[a-z2-7]{20,80}$/.test(token)) return null;
  const row = await db
    .select({ resetId: passwordResets.id, user: users })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(and(eq(passwordResets.tokenHash, hashToken(token)), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
    .get();
  return row ?? null;
}

/**
 * Sets the new password and uses the token up. The caller must have checked the
 * member's second factor first: a reset never bypasses MFA. Revoking the member's
 * sessions is the caller's next step (invalidateUserSessions).
 */
export async function completePasswordReset(db: Database, token: string, newPassword: string, ip: string | null = null, now = new Date()): Promise<boolean> {
  const passwordHash = await hashPassword(newPassword);
  return write(db, async (tx) => {
    const reset = await tx
      .select()
      .from(passwordResets)
      .where(and(eq(passwordResets.tokenHash, hashToken(token)), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
      .get();
    if (!reset) return false;
    await tx.update(passwordResets).set({ usedAt: now }).where(eq(passwordResets.id, reset.id));
    await tx.update(users).set({ passwordHash }).where(eq(users.id, reset.userId));
    await auditIn(tx, { actorId: reset.userId, action: 'password-reset-complete', outcome: 'success', targetType: 'user', targetId: reset.userId, ip }, now);
    await enqueueMail(tx, { kind: 'password-changed', userId: reset.userId, data: { how: 'reset' } }, now);
    return true;
  });
}
