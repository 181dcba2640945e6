/**
 * Administrators' forms: members, invitations and organisations. Each handler checks
 * that the caller is a signed-in administrator BEFORE it reads the form (a refusal is
 * audited), then validates the form with zod and calls src/lib/admin, which audits the
 * change. A bad value comes back as a message for its field, with nothing changed.
 */
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'zod';
import { roles } from '#db/schema.ts';
import { roleLabels } from '#lib/auth/roles.ts';
import type { Actor } from '#lib/admin/common.ts';
import {
  changeRole,
  createResetLink,
  inviteMember,
  inviteInputSchema,
  reactivateMember,
  resendInvitation,
  resetSecondFactor,
  revokeInvitation,
  revokeMemberSessions,
  suspendMember,
} from '#lib/admin/members.ts';
import { createOrganisation, organisationInputSchema, updateOrganisation } from '#lib/admin/organisations.ts';
import { retryFailedMessage } from '#lib/mail/status.ts';
import { eraseMember, removeFormerMemberPosts, type Eraser } from '#lib/auth/erasure.ts';
import { idField } from '#lib/params.ts';
import { memberAction, type Caller } from './define.ts';
import { parseForm, refusalError } from './errors.ts';

const id = (what: string) => idField(`Unknown ${what}`);
const memberForm = z.object({ userId: id('member') });
const invitationForm = z.object({ invitationId: id('invitation') });

/** An administrator's form action: administrators only (a refusal at the door is audited), then the form, then the work. */
function adminAction<T>(name: string, run: (db: Caller['db'], actor: Actor, form: FormData, context: ActionAPIContext) => Promise<T>) {
  const door = { role: 'admin' as const, audit: { action: 'admin-access', target: `admin.${name}`, forbidden: 'not-an-administrator' } };
  return memberAction(door, ({ db, user, session, ip }, form, context) => run(db, { userId: user.id, sessionId: session.id, ip, via: 'web' }, form, context));
}

const eraserOf = (actor: Actor): Eraser => ({ userId: actor.userId, ip: actor.ip, by: 'administrator', via: actor.via });

export const admin = {
  // The link goes by email only: administrators see that it was queued and how it went, never the link.
  invite: adminAction('invite', async (db, actor, form, context) => {
    const result = await inviteMember(db, actor, parseForm(inviteInputSchema, form));
    if (!result.ok) throw refusalError(context, result);
    return { email: result.email, expiresAt: result.expiresAt };
  }),

  resendInvitation: adminAction('resendInvitation', async (db, actor, form, context) => {
    const result = await resendInvitation(db, actor, parseForm(invitationForm, form));
    if (!result.ok) throw refusalError(context, result);
    return { email: result.email, expiresAt: result.expiresAt };
  }),

  revokeInvitation: adminAction('revokeInvitation', async (db, actor, form, context) => {
    const result = await revokeInvitation(db, actor, parseForm(invitationForm, form));
    if (!result.ok) throw refusalError(context, result);
    return { message: `The invitation for ${result.email} is revoked: its link no longer works.` };
  }),

  changeRole: adminAction('changeRole', async (db, actor, form, context) => {
    const input = parseForm(memberForm.extend({ role: z.enum(roles, { error: 'Choose a role from the list' }) }), form);
    const result = await changeRole(db, actor, input);
    if (!result.ok) throw refusalError(context, result);
    return { message: `${result.member.displayName}’s role is now ${roleLabels[result.member.role]}.` };
  }),

  suspend: adminAction('suspend', async (db, actor, form, context) => {
    const result = await suspendMember(db, actor, parseForm(memberForm, form));
    if (!result.ok) throw refusalError(context, result);
    const ended = result.sessionsEnded === 1 ? '1 session was ended' : `${result.sessionsEnded} sessions were ended`;
    return { message: `${result.member.displayName} is suspended and cannot sign in; ${ended}.` };
  }),

  reactivate: adminAction('reactivate', async (db, actor, form, context) => {
    const result = await reactivateMember(db, actor, parseForm(memberForm, form));
    if (!result.ok) throw refusalError(context, result);
    return { message: `${result.member.displayName} is active again and can sign in.` };
  }),

  revokeSessions: adminAction('revokeSessions', async (db, actor, form, context) => {
    const result = await revokeMemberSessions(db, actor, parseForm(memberForm, form));
    if (!result.ok) throw refusalError(context, result);
    const ended = result.sessionsEnded === 1 ? '1 session was ended' : `${result.sessionsEnded} sessions were ended`;
    return { message: `${ended} for ${result.member.displayName}.` };
  }),

  createResetLink: adminAction('createResetLink', async (db, actor, form, context) => {
    const result = await createResetLink(db, actor, parseForm(memberForm, form));
    if (!result.ok) throw refusalError(context, result);
    return { email: result.email, name: result.member.displayName, expiresAt: result.expiresAt };
  }),

  retryMail: adminAction('retryMail', async (db, actor, form, context) => {
    const result = await retryFailedMessage(db, actor, parseForm(z.object({ id: id('message') }), form).id);
    if (!result.ok) throw refusalError(context, result);
    return { message: 'The message is queued to be sent again.' };
  }),

  resetSecondFactor: adminAction('resetSecondFactor', async (db, actor, form, context) => {
    const result = await resetSecondFactor(db, actor, parseForm(memberForm, form));
    if (!result.ok) throw refusalError(context, result);
    const ended = result.sessionsEnded === 1 ? '1 session was ended' : `${result.sessionsEnded} sessions were ended`;
    return { message: `${result.member.displayName}’s authenticator app and recovery codes are removed and ${ended}. When they next sign in with their password, they will set up a new app.` };
  }),

  eraseMember: adminAction('eraseMember', async (db, actor, form, context) => {
    const input = parseForm(memberForm.extend({ confirmation: z.string().max(100), removePosts: z.preprocess((v) => v === 'on', z.boolean()) }), form);
    const result = await eraseMember(db, eraserOf(actor), input);
    if (!result.ok) throw refusalError(context, result);
    const posts = input.removePosts ? ` ${result.postsRemoved} ${result.postsRemoved === 1 ? 'post was' : 'posts were'} deleted.` : ' Their posts stay, shown as by “Former member”.';
    return { message: `The account is erased: its personal data is gone and every session ended.${posts}` };
  }),

  removeFormerMemberPosts: adminAction('removeFormerMemberPosts', async (db, actor, form, context) => {
    const result = await removeFormerMemberPosts(db, eraserOf(actor), parseForm(memberForm, form));
    if (!result.ok) throw refusalError(context, result);
    return { message: `${result.postsRemoved} ${result.postsRemoved === 1 ? 'post was' : 'posts were'} deleted.` };
  }),

  createOrganisation: adminAction('createOrganisation', async (db, actor, form, context) => {
    const result = await createOrganisation(db, actor, parseForm(organisationInputSchema, form));
    if (!result.ok) throw refusalError(context, result);
    return { id: result.organisation.id, name: result.organisation.name };
  }),

  updateOrganisation: adminAction('updateOrganisation', async (db, actor, form, context) => {
    const result = await updateOrganisation(db, actor, parseForm(organisationInputSchema.extend({ id: id('organisation') }), form));
    if (!result.ok) throw refusalError(context, result);
    return { id: result.organisation.id, name: result.organisation.name };
  }),
};
