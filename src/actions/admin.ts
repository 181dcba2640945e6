/**
 * Administrators' forms: members, invitations and organisations. Each handler checks
 * that the caller is a signed-in administrator BEFORE it reads the form (a refusal is
 * audited), then validates the form with zod and calls src/lib/admin, which audits the
 * change. A bad value comes back as a message for its field, with nothing changed.
 */
import { ActionError, defineAction, type ActionAPIContext } from 'astro:actions';
import { z } from 'zod';
import { roles } from '#db/schema.ts';
import { getDb, type Database } from '#lib/db.ts';
import { audit } from '#lib/auth/audit.ts';
import { requireActor } from '#lib/auth/guards.ts';
import { roleLabels } from '#lib/auth/roles.ts';
import type { Actor, Refusal } from '#lib/admin/common.ts';
import {
  changeRole,
  createResetLink,
  inviteMember,
  inviteInputSchema,
  reactivateMember,
  resendInvitation,
  revokeInvitation,
  revokeMemberSessions,
  suspendMember,
} from '#lib/admin/members.ts';
import { createOrganisation, organisationInputSchema, updateOrganisation } from '#lib/admin/organisations.ts';
import { fieldError, parseForm } from './errors.ts';

/** The signed-in administrator, or a thrown UNAUTHORIZED / FORBIDDEN that is audited first. */
async function requireAdmin(context: ActionAPIContext, actionName: string): Promise<{ db: Database; actor: Actor }> {
  const db = await getDb();
  try {
    const { user, session } = requireActor(context, 'admin');
    return { db, actor: { userId: user.id, sessionId: session.id, ip: context.clientAddress, via: 'web' } };
  } catch (error) {
    if (error instanceof ActionError) {
      await audit(db, {
        actorId: context.locals.user?.id ?? null,
        action: 'admin-access',
        outcome: 'refused',
        targetType: 'action',
        targetId: `admin.${actionName}`,
        ip: context.clientAddress,
        detail: { reason: error.code === 'FORBIDDEN' ? 'not-an-administrator' : 'not-signed-in' },
      });
    }
    throw error;
  }
}

const refusalCodes = { 'not-found': 'NOT_FOUND', self: 'FORBIDDEN', taken: 'CONFLICT', invalid: 'CONFLICT', unchanged: 'CONFLICT' } as const;

function fail(refusal: Refusal): never {
  if (refusal.field) throw fieldError(refusal.field, refusal.message);
  throw new ActionError({ code: refusalCodes[refusal.reason], message: refusal.message });
}

const id = (what: string) => z.coerce.number({ error: `Unknown ${what}` }).int(`Unknown ${what}`).positive(`Unknown ${what}`);
const memberForm = z.object({ userId: id('member') });
const invitationForm = z.object({ invitationId: id('invitation') });

/** Defines an admin form action: permission first, then the form, then the work. */
function adminAction<T>(name: string, run: (db: Database, actor: Actor, form: FormData) => Promise<T>) {
  return defineAction({
    accept: 'form',
    handler: async (form: FormData, context) => {
      const { db, actor } = await requireAdmin(context, name);
      return run(db, actor, form);
    },
  });
}

export const admin = {
  invite: adminAction('invite', async (db, actor, form) => {
    const result = await inviteMember(db, actor, parseForm(inviteInputSchema, form));
    if (!result.ok) fail(result);
    return { kind: 'invitation' as const, email: result.email, path: result.path, expiresAt: result.expiresAt };
  }),

  resendInvitation: adminAction('resendInvitation', async (db, actor, form) => {
    const result = await resendInvitation(db, actor, parseForm(invitationForm, form));
    if (!result.ok) fail(result);
    return { kind: 'invitation' as const, email: result.email, path: result.path, expiresAt: result.expiresAt };
  }),

  revokeInvitation: adminAction('revokeInvitation', async (db, actor, form) => {
    const result = await revokeInvitation(db, actor, parseForm(invitationForm, form));
    if (!result.ok) fail(result);
    return { message: `The invitation for ${result.email} is revoked: its link no longer works.` };
  }),

  changeRole: adminAction('changeRole', async (db, actor, form) => {
    const input = parseForm(memberForm.extend({ role: z.enum(roles, { error: 'Choose a role from the list' }) }), form);
    const result = await changeRole(db, actor, input);
    if (!result.ok) fail(result);
    return { message: `${result.member.displayName}’s role is now ${roleLabels[result.member.role]}.` };
  }),

  suspend: adminAction('suspend', async (db, actor, form) => {
    const result = await suspendMember(db, actor, parseForm(memberForm, form));
    if (!result.ok) fail(result);
    const ended = result.sessionsEnded === 1 ? '1 session was ended' : `${result.sessionsEnded} sessions were ended`;
    return { message: `${result.member.displayName} is suspended and cannot sign in; ${ended}.` };
  }),

  reactivate: adminAction('reactivate', async (db, actor, form) => {
    const result = await reactivateMember(db, actor, parseForm(memberForm, form));
    if (!result.ok) fail(result);
    return { message: `${result.member.displayName} is active again and can sign in.` };
  }),

  revokeSessions: adminAction('revokeSessions', async (db, actor, form) => {
    const result = await revokeMemberSessions(db, actor, parseForm(memberForm, form));
    if (!result.ok) fail(result);
    const ended = result.sessionsEnded === 1 ? '1 session was ended' : `${result.sessionsEnded} sessions were ended`;
    return { message: `${ended} for ${result.member.displayName}.` };
  }),

  createResetLink: adminAction('createResetLink', async (db, actor, form) => {
    const result = await createResetLink(db, actor, parseForm(memberForm, form));
    if (!result.ok) fail(result);
    return { kind: 'reset' as const, email: result.email, name: result.member.displayName, path: result.path, expiresAt: result.expiresAt };
  }),

  createOrganisation: adminAction('createOrganisation', async (db, actor, form) => {
    const result = await createOrganisation(db, actor, parseForm(organisationInputSchema, form));
    if (!result.ok) fail(result);
    return { id: result.organisation.id, name: result.organisation.name };
  }),

  updateOrganisation: adminAction('updateOrganisation', async (db, actor, form) => {
    const result = await updateOrganisation(db, actor, parseForm(organisationInputSchema.extend({ id: id('organisation') }), form));
    if (!result.ok) fail(result);
    return { id: result.organisation.id, name: result.organisation.name };
  }),
};
