/**
 * Members and invitations, as administrators manage them: invite, list and filter,
 * change role, suspend and reactivate, end sessions, make password reset links, and
 * resend or revoke open invitations. Every change is audited in the same transaction
 * as the change itself; a refusal changes nothing and is audited too.
 */
import { aliasedTable, and, asc, count, desc, eq, gt, isNull, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, invitations, organisations, recoveryCodes, roles, sessions, totpCredentials, userStatuses, users, type Role, type User } from '#db/schema.ts';
import { write, type Database, type Queryable } from '#lib/db.ts';
import { audit, auditIn } from '#lib/auth/audit.ts';
import { createInvitation } from '#lib/auth/invitations.ts';
import { createPasswordReset, RESET_TTL_MS } from '#lib/auth/password-resets.ts';
import { deletePasskeysIn } from '#lib/auth/passkeys.ts';
import { ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS, invalidateUserSessions, listUserSessions } from '#lib/auth/sessions.ts';
import { findUserByEmail, findUserById, normaliseEmail } from '#lib/auth/users.ts';
import { deleteCalendarFeed } from '#lib/events/feeds.ts';
import { enqueueMail } from '#lib/mail/outbox.ts';
import { refuse, type Refusal, type Result } from '#lib/result.ts';
import { idField } from '#lib/params.ts';
import { likePattern, withVia, type Actor } from './common.ts';
import { isOwnAccount, reactivateRefusal, resetLinkRefusal, roleChangeRefusal, secondFactorResetRefusal, suspendRefusal } from './permissions.ts';

export const MEMBERS_PAGE_SIZE = 50;

const emailField = z
  .string({ error: 'Enter an email address, like name@example.org' })
  .trim()
  .max(254, 'Email addresses are at most 254 characters')
  .pipe(z.email({ error: 'Enter an email address, like name@example.org' }));
const chosen = (what: string) => idField(`Choose ${what}`);

export const inviteInputSchema = z.object({
  email: emailField,
  role: z.enum(roles, { error: 'Choose a role' }),
  organisationId: chosen('an organisation'),
});
export type InviteInput = z.infer<typeof inviteInputSchema>;

export const memberFiltersSchema = z.object({
  q: z.string().trim().max(200, 'Search for at most 200 characters').optional(),
  role: z.enum(roles, { error: 'Choose a role from the list' }).optional(),
  status: z.enum(userStatuses, { error: 'Choose a status from the list' }).optional(),
  organisationId: idField('Choose an organisation from the list').optional(),
});
export type MemberFilters = z.infer<typeof memberFiltersSchema>;

export const statusLabels: Record<(typeof userStatuses)[number], string> = { active: 'Active', suspended: 'Suspended', erased: 'Erased' };

/**
 * Reads filters from a query string. A bad value is dropped with a message for its
 * field, so the other filters still apply.
 */
export function parseMemberFilters(params: URLSearchParams): { filters: MemberFilters; errors: Record<string, string> } {
  const filters: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const key of Object.keys(memberFiltersSchema.shape) as (keyof MemberFilters)[]) {
    const raw = params.get(key)?.trim();
    if (!raw) continue;
    const parsed = memberFiltersSchema.shape[key].safeParse(raw);
    if (parsed.success) filters[key] = parsed.data;
    else errors[key] = parsed.error.issues[0]!.message;
  }
  return { filters: filters as MemberFilters, errors };
}

/** A live session: not past its idle or absolute expiry (expired rows wait for the purge). */
function liveSession(now: Date): SQL {
  return and(
    eq(sessions.userId, users.id),
    gt(sessions.lastVerifiedAt, new Date(now.getTime() - IDLE_TIMEOUT_MS)),
    gt(sessions.createdAt, new Date(now.getTime() - ABSOLUTE_LIFETIME_MS)),
  )!;
}

/** The last time something happened to a member, from the audit log (ms since the epoch). */
const lastAudit = (action: string) =>
  sql<number | null>`(select max(${auditLog.at}) from ${auditLog} where ${auditLog.action} = ${action} and ${auditLog.targetType} = 'user' and ${auditLog.targetId} = cast(${users.id} as text))`;

const memberColumns = (now: Date) => ({
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  role: users.role,
  status: users.status,
  organisationId: users.organisationId,
  organisationName: organisations.name,
  createdAt: users.createdAt,
  lastSeenAt: users.lastSeenAt,
  erasedAt: users.erasedAt,
  liveSessions: sql<number>`(select count(*) from ${sessions} where ${liveSession(now)})`,
  resetRequestedMs: lastAudit('password-reset-request'),
  resetCreatedMs: lastAudit('password-reset-create'),
});

export interface MemberRow {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  status: User['status'];
  organisationId: number;
  organisationName: string;
  createdAt: Date;
  lastSeenAt: Date | null;
  erasedAt: Date | null;
  liveSessions: number;
  /** When the member asked for a password reset that no reset link has answered yet. */
  resetRequestedAt: Date | null;
}

function toRow(raw: { resetRequestedMs: number | null; resetCreatedMs: number | null } & Omit<MemberRow, 'resetRequestedAt'>): MemberRow {
  const { resetRequestedMs, resetCreatedMs, ...rest } = raw;
  const requested = resetRequestedMs === null ? null : Number(resetRequestedMs);
  const answered = resetCreatedMs !== null && requested !== null && Number(resetCreatedMs) >= requested;
  return { ...rest, liveSessions: Number(rest.liveSessions), resetRequestedAt: requested !== null && !answered ? new Date(requested) : null };
}

function filterConditions(filters: MemberFilters): SQL | undefined {
  const conditions: SQL[] = [];
  if (filters.role) conditions.push(eq(users.role, filters.role));
  if (filters.status) conditions.push(eq(users.status, filters.status));
  if (filters.organisationId) conditions.push(eq(users.organisationId, filters.organisationId));
  if (filters.q) {
    const pattern = likePattern(filters.q);
    conditions.push(or(sql`${users.displayName} like ${pattern} escape '\\'`, sql`${users.email} like ${pattern} escape '\\'`)!);
  }
  return conditions.length ? and(...conditions) : undefined;
}

/** Members matching the filters, by name, a page at a time, with the total for paging. */
export async function listMembers(
  db: Queryable,
  filters: MemberFilters = {},
  page = 1,
  pageSize = MEMBERS_PAGE_SIZE,
  now = new Date(),
): Promise<{ rows: MemberRow[]; total: number }> {
  const where = filterConditions(filters);
  const [rows, totalRow] = await Promise.all([
    db
      .select(memberColumns(now))
      .from(users)
      .innerJoin(organisations, eq(organisations.id, users.organisationId))
      .where(where)
      .orderBy(asc(sql`lower(${users.displayName})`), asc(users.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .all(),
    db.select({ n: count() }).from(users).where(where).get(),
  ]);
  return { rows: rows.map(toRow), total: totalRow?.n ?? 0 };
}

/** One member with their organisation and live sessions, or undefined. */
export async function getMember(db: Database, id: number, now = new Date()) {
  const raw = await db
    .select(memberColumns(now))
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.id, id))
    .get();
  if (!raw) return undefined;
  const all = await listUserSessions(db, id);
  const live = all.filter((s) => now.getTime() - s.lastVerifiedAt.getTime() < IDLE_TIMEOUT_MS && now.getTime() - s.createdAt.getTime() < ABSOLUTE_LIFETIME_MS);
  return { ...toRow(raw), sessions: live };
}

export interface InvitationRow {
  id: number;
  email: string;
  role: Role;
  organisationName: string;
  invitedByName: string | null;
  createdAt: Date;
  expiresAt: Date;
  expired: boolean;
}

/** Invitations not yet used or revoked, newest first; expired ones are listed so they can be resent. */
export async function listOpenInvitations(db: Queryable, now = new Date()): Promise<InvitationRow[]> {
  const inviter = aliasedTable(users, 'inviter');
  const rows = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      organisationName: organisations.name,
      invitedByName: inviter.displayName,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
    })
    .from(invitations)
    .innerJoin(organisations, eq(organisations.id, invitations.organisationId))
    .leftJoin(inviter, eq(inviter.id, invitations.invitedBy))
    .where(and(isNull(invitations.usedAt), isNull(invitations.revokedAt)))
    .orderBy(desc(invitations.createdAt), desc(invitations.id))
    .all();
  return rows.map((r) => ({ ...r, expired: r.expiresAt.getTime() <= now.getTime() }));
}

/** Audits a refusal and returns it, so callers write `return refused(…)`. A change that would change nothing is not recorded. */
async function refused(db: Database, actor: Actor, action: string, target: { type: string; id?: number }, refusal: Refusal): Promise<Refusal> {
  if (refusal.reason === 'unchanged') return refusal;
  await audit(db, { actorId: actor.userId, action, outcome: 'refused', targetType: target.type, targetId: target.id, ip: actor.ip, detail: withVia(actor, { reason: refusal.reason }) });
  return refusal;
}

const memberNotFound = refuse('not-found', 'That member does not exist. They may have been removed; reload the list.');

export interface CreatedLink {
  token: string;
  path: string;
  email: string;
  expiresAt: Date;
}

/**
 * Invites someone. Refused when the address already belongs to a member or the
 * organisation does not exist. A newer invitation replaces any open one for the address.
 */
export async function inviteMember(db: Database, actor: Actor, input: InviteInput, now = new Date()): Promise<Result<CreatedLink & { invitationId: number }>> {
  const email = normaliseEmail(input.email);
  if (await findUserByEmail(db, email)) {
    return refused(db, actor, 'invitation-create', { type: 'invitation' }, refuse('taken', 'There is already a member with this email address.', 'email'));
  }
  const organisation = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, input.organisationId)).get();
  if (!organisation) {
    return refused(db, actor, 'invitation-create', { type: 'invitation' }, refuse('not-found', 'Choose an organisation from the list.', 'organisationId'));
  }
  const created = await createInvitation(db, actor.userId, { email, role: input.role, organisationId: organisation.id }, actor.ip, now, withVia(actor, {}));
  const invitation = await db.select({ expiresAt: invitations.expiresAt }).from(invitations).where(eq(invitations.id, created.invitationId)).get();
  return { ok: true, ...created, email, expiresAt: invitation!.expiresAt };
}

/** Replaces an open (or expired, unused) invitation with a fresh link for the same person. */
export async function resendInvitation(db: Database, actor: Actor, input: { invitationId: number }, now = new Date()): Promise<Result<CreatedLink & { invitationId: number }>> {
  const old = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.id, input.invitationId), isNull(invitations.usedAt), isNull(invitations.revokedAt)))
    .get();
  if (!old) {
    return refused(db, actor, 'invitation-resend', { type: 'invitation', id: input.invitationId }, refuse('not-found', 'That invitation is no longer open: it was used, revoked or replaced. Reload the list.'));
  }
  if (await findUserByEmail(db, old.email)) {
    return refused(db, actor, 'invitation-resend', { type: 'invitation', id: old.id }, refuse('taken', `${old.email} is already a member; revoke this invitation instead.`));
  }
  // createInvitation revokes the open invitation for the address in the same transaction.
  const created = await createInvitation(db, actor.userId, { email: old.email, role: old.role, organisationId: old.organisationId }, actor.ip, now, withVia(actor, {}));
  await audit(db, { actorId: actor.userId, action: 'invitation-resend', outcome: 'success', targetType: 'invitation', targetId: old.id, ip: actor.ip, detail: withVia(actor, { email: old.email, newInvitationId: created.invitationId }) }, now);
  const invitation = await db.select({ expiresAt: invitations.expiresAt }).from(invitations).where(eq(invitations.id, created.invitationId)).get();
  return { ok: true, ...created, email: old.email, expiresAt: invitation!.expiresAt };
}

export async function revokeInvitation(db: Database, actor: Actor, input: { invitationId: number }, now = new Date()): Promise<Result<{ email: string }>> {
  const result = await write(db, async (tx) => {
    const open = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.id, input.invitationId), isNull(invitations.usedAt), isNull(invitations.revokedAt)))
      .get();
    if (!open) return null;
    await tx.update(invitations).set({ revokedAt: now }).where(eq(invitations.id, open.id));
    await auditIn(tx, { actorId: actor.userId, action: 'invitation-revoke', outcome: 'success', targetType: 'invitation', targetId: open.id, ip: actor.ip, detail: withVia(actor, { email: open.email }) }, now);
    return open;
  });
  if (!result) {
    return refused(db, actor, 'invitation-revoke', { type: 'invitation', id: input.invitationId }, refuse('not-found', 'That invitation is no longer open: it was used, revoked or replaced. Reload the list.'));
  }
  return { ok: true, email: result.email };
}

/** Changes a member's role. An administrator cannot lower their own role. */
export async function changeRole(db: Database, actor: Actor, input: { userId: number; role: Role }, now = new Date()): Promise<Result<{ member: User; from: Role }>> {
  const action = 'member-role-change';
  const target = await findUserById(db, input.userId);
  if (!target) return refused(db, actor, action, { type: 'user', id: input.userId }, memberNotFound);
  const refusal = roleChangeRefusal(actor, target, input.role);
  if (refusal) return refused(db, actor, action, { type: 'user', id: target.id }, refusal);
  const member = await write(db, async (tx) => {
    const [member] = await tx.update(users).set({ role: input.role }).where(eq(users.id, target.id)).returning();
    await auditIn(tx, { actorId: actor.userId, action, outcome: 'success', targetType: 'user', targetId: target.id, ip: actor.ip, detail: withVia(actor, { from: target.role, to: input.role }) }, now);
    return member!;
  });
  return { ok: true, member, from: target.role };
}

/**
 * Suspends a member: they cannot sign in, every session they have ends now, and their
 * private calendar feed address is revoked.
 * An administrator cannot suspend themselves.
 */
export async function suspendMember(db: Database, actor: Actor, input: { userId: number }, now = new Date()): Promise<Result<{ member: User; sessionsEnded: number }>> {
  const action = 'member-suspend';
  const target = await findUserById(db, input.userId);
  if (!target) return refused(db, actor, action, { type: 'user', id: input.userId }, memberNotFound);
  const refusal = suspendRefusal(actor, target);
  if (refusal) return refused(db, actor, action, { type: 'user', id: target.id }, refusal);
  const member = await write(db, async (tx) => {
    const [member] = await tx.update(users).set({ status: 'suspended' }).where(eq(users.id, target.id)).returning();
    // A calendar app holding their private feed address stops getting members' events now.
    await deleteCalendarFeed(tx, target.id);
    await auditIn(tx, { actorId: actor.userId, action, outcome: 'success', targetType: 'user', targetId: target.id, ip: actor.ip, detail: withVia(actor, { email: target.email }) }, now);
    return member!;
  });
  // Sessions of a suspended member are refused anyway (validateSessionToken checks the
  // status); deleting them makes that visible at once and leaves nothing to reuse.
  const sessionsEnded = await invalidateUserSessions(db, target.id);
  return { ok: true, member, sessionsEnded };
}

export async function reactivateMember(db: Database, actor: Actor, input: { userId: number }, now = new Date()): Promise<Result<{ member: User }>> {
  const action = 'member-reactivate';
  const target = await findUserById(db, input.userId);
  if (!target) return refused(db, actor, action, { type: 'user', id: input.userId }, memberNotFound);
  const refusal = reactivateRefusal(target);
  if (refusal) return refusal;
  const member = await write(db, async (tx) => {
    const [member] = await tx.update(users).set({ status: 'active' }).where(eq(users.id, target.id)).returning();
    await auditIn(tx, { actorId: actor.userId, action, outcome: 'success', targetType: 'user', targetId: target.id, ip: actor.ip, detail: withVia(actor, { email: target.email }) }, now);
    return member!;
  });
  return { ok: true, member };
}

/** Ends every session of a member (an administrator's own current session is kept). */
export async function revokeMemberSessions(db: Database, actor: Actor, input: { userId: number }, now = new Date()): Promise<Result<{ member: User; sessionsEnded: number }>> {
  const action = 'member-sessions-revoke';
  const target = await findUserById(db, input.userId);
  if (!target) return refused(db, actor, action, { type: 'user', id: input.userId }, memberNotFound);
  const keep = isOwnAccount(actor, target) ? (actor.sessionId ?? undefined) : undefined;
  const sessionsEnded = await invalidateUserSessions(db, target.id, keep);
  await audit(db, { actorId: actor.userId, action, outcome: 'success', targetType: 'user', targetId: target.id, ip: actor.ip, detail: withVia(actor, { sessionsEnded }) }, now);
  return { ok: true, member: target, sessionsEnded };
}

/** A one-time password reset link for a member, emailed to them (the command line also prints it). */
export async function createResetLink(db: Database, actor: Actor, input: { userId: number }, now = new Date()): Promise<Result<CreatedLink & { member: User }>> {
  const target = await findUserById(db, input.userId);
  if (!target) return refused(db, actor, 'password-reset-create', { type: 'user', id: input.userId }, memberNotFound);
  const refusal = resetLinkRefusal(target);
  if (refusal) return refused(db, actor, 'password-reset-create', { type: 'user', id: target.id }, refusal);
  const { token, path } = await createPasswordReset(db, target.id, { actorId: actor.userId, requestedBy: 'administrator', ip: actor.ip, now, auditDetail: withVia(actor, {}) });
  return { ok: true, token, path, email: target.email, member: target, expiresAt: new Date(now.getTime() + RESET_TTL_MS) };
}

/**
 * Resets a member's second factor when they have lost it (after the administrator has
 * checked who they are: docs/administration.md). In one write: their authenticator key,
 * recovery codes and passkeys are removed, their private calendar feed address stops,
 * every session they have ends, it is audited and the member is told. Their next sign-in, with their password, goes straight to setting up a
 * new app. Never one's own account.
 */
export async function resetSecondFactor(db: Database, actor: Actor, input: { userId: number }, now = new Date()): Promise<Result<{ member: User; sessionsEnded: number }>> {
  const action = 'member-mfa-reset';
  const target = await findUserById(db, input.userId);
  if (!target) return refused(db, actor, action, { type: 'user', id: input.userId }, memberNotFound);
  const refusal = secondFactorResetRefusal(actor, target);
  if (refusal) return refused(db, actor, action, { type: 'user', id: target.id }, refusal);
  const sessionsEnded = await write(db, async (tx) => {
    const app = await tx.delete(totpCredentials).where(eq(totpCredentials.userId, target.id));
    const codes = await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, target.id));
    // A lost phone may be the device holding a passkey: the member starts again from password and a new app.
    const passkeysRemoved = await deletePasskeysIn(tx, target.id);
    // Whoever has the lost phone may have the calendar feed's address on it too.
    await deleteCalendarFeed(tx, target.id);
    const ended = await tx.delete(sessions).where(eq(sessions.userId, target.id));
    const detail = { hadApp: app.rowsAffected > 0, recoveryCodesRemoved: codes.rowsAffected, passkeysRemoved, sessionsEnded: ended.rowsAffected };
    await auditIn(tx, { actorId: actor.userId, action, outcome: 'success', targetType: 'user', targetId: target.id, ip: actor.ip, detail: withVia(actor, detail) }, now);
    await enqueueMail(tx, { kind: 'authenticator-changed', userId: target.id, data: { how: 'reset-by-administrator' } }, now);
    return ended.rowsAffected;
  });
  return { ok: true, member: target, sessionsEnded };
}
