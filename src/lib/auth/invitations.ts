import { and, eq, gt, isNull } from 'drizzle-orm';
import { invitations, users, type Role } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { enqueueMail } from '#lib/mail/outbox.ts';
import { sealLinkToken } from '#lib/mail/tokens.ts';
import { refuse, type Result } from '#lib/result.ts';
import { auditIn } from './audit.ts';
import { hashPassword } from './passwords.ts';
import { hashToken, randomToken } from './tokens.ts';
import { normaliseEmail } from './users.ts';

/** How long an invitation link works (docs/security.md: single-use, expiring). */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface InvitationInput {
  email: string;
  role: Role;
  organisationId: number;
}

/**
 * Creates a single-use invitation and queues the email that carries its link, in one
 * transaction. The token exists only here and, sealed, in the outbox until the email is
 * sent: the invitations table keeps its hash. The CLI prints the returned link too.
 */
export async function createInvitation(
  db: Database,
  invitedBy: number | null,
  input: InvitationInput,
  ip: string | null = null,
  now = new Date(),
  /** Extra facts for the audit row (e.g. `{ via: 'cli' }`). */
  auditDetail: Record<string, unknown> = {},
): Promise<{ token: string; path: string; invitationId: number }> {
  const token = randomToken(32);
  const email = normaliseEmail(input.email);
  const id = await write(db, async (tx) => {
    // A newer invitation replaces any open one for the same address.
    await tx.update(invitations).set({ revokedAt: now }).where(and(eq(invitations.email, email), isNull(invitations.usedAt), isNull(invitations.revokedAt)));
    const [row] = await tx
      .insert(invitations)
      .values({ tokenHash: hashToken(token), email, role: input.role, organisationId: input.organisationId, invitedBy, createdAt: now, expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) })
      .returning({ id: invitations.id });
    await auditIn(tx, { actorId: invitedBy, action: 'invitation-create', outcome: 'success', targetType: 'invitation', targetId: row!.id, ip, detail: { ...auditDetail, email, role: input.role, organisationId: input.organisationId } }, now);
    await enqueueMail(tx, { kind: 'invitation', to: email, ref: `invitation:${row!.id}`, data: { invitationId: row!.id, token: sealLinkToken(token) } }, now);
    return row!.id;
  });
  return { token, path: `/invite/${token}`, invitationId: id };
}

/** The open invitation a token stands for, or null if it is unknown, used, revoked or expired. */
export async function findOpenInvitation(db: Database, token: string, now = new Date()) {
  if (!/^[a-z2-7]{20,80}$/.test(token)) return null;
  return (
    (await db
      .select()
      .from(invitations)
      .where(and(eq(invitations.tokenHash, hashToken(token)), isNull(invitations.usedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
      .get()) ?? null
  );
}

/** Said for every invitation link that no longer works, by the page and by the action. */
export const INVITATION_GONE_MESSAGE =
  'This invitation link has expired or has already been used. Ask the person who invited you for a new one.';
const invitationGone = refuse('gone', INVITATION_GONE_MESSAGE);

export type AcceptResult = Result<{ userId: number }>;

/**
 * Turns an invitation into an account. The invitation is marked used in the same
 * transaction that creates the member, so a link works exactly once.
 */
export async function acceptInvitation(
  db: Database,
  token: string,
  input: { displayName: string; password: string },
  ip: string | null = null,
  now = new Date(),
): Promise<AcceptResult> {
  const passwordHash = await hashPassword(input.password);
  return write(db, async (tx) => {
    const invitation = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.tokenHash, hashToken(token)), isNull(invitations.usedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
      .get();
    if (!invitation) return invitationGone;
    const existing = await tx.select({ id: users.id }).from(users).where(eq(users.email, invitation.email)).get();
    if (existing) {
      return refuse('taken', `There is already an account for ${invitation.email}. Sign in with it, or use "I have forgotten my password" on the sign-in page.`);
    }
    const used = await tx.update(invitations).set({ usedAt: now }).where(and(eq(invitations.id, invitation.id), isNull(invitations.usedAt)));
    if (used.rowsAffected !== 1) return invitationGone;
    const [user] = await tx
      .insert(users)
      .values({ email: invitation.email, displayName: input.displayName, role: invitation.role, organisationId: invitation.organisationId, passwordHash, createdAt: now })
      .returning({ id: users.id });
    await auditIn(tx, { actorId: user!.id, action: 'invitation-accept', outcome: 'success', targetType: 'invitation', targetId: invitation.id, ip }, now);
    return { ok: true, userId: user!.id } as const;
  });
}
