import { defineAction, type ActionAPIContext } from 'astro:actions';
import { z } from 'zod';
import { getDb, write } from '#lib/db.ts';
import { audit } from '#lib/auth/audit.ts';
import {
  changeDisplayName,
  changePassword,
  DISPLAY_NAME_MAX,
  DISPLAY_NAME_MIN,
  regenerateRecoveryCodesWithTotp,
  requestPasswordReset,
  resetNeedsCode,
  resetPasswordWithSecondFactor,
  revokeOwnSession,
} from '#lib/auth/account.ts';
import { BROWSER_COOKIE, recogniseBrowser, setBrowserCookie } from '#lib/auth/browsers.ts';
import { acceptInvitation as acceptInvitationToken, findOpenInvitation, INVITATION_GONE_MESSAGE } from '#lib/auth/invitations.ts';
import { ALREADY_ENROLLED, completeTotpEnrolment, moveAuthenticator, openPendingEnrolment } from '#lib/auth/mfa-enrolment.ts';
import { reauthenticate } from '#lib/auth/reauthentication.ts';
import { addPasskey, fromBase64url, PASSKEY_ATTEMPT_COOKIE, PASSKEY_NAME_MAX, portalRelyingParty, removePasskey, signInWithPasskey } from '#lib/auth/passkeys.ts';
import { eraseOwnAccount } from '#lib/auth/erasure.ts';
import { safeNext } from '#lib/auth/next-url.ts';
import { findOpenReset, RESET_GONE_MESSAGE } from '#lib/auth/password-resets.ts';
import { PASSWORD_MAX, passwordProblem } from '#lib/auth/passwords.ts';
import { checkPassword, checkSecondFactor } from '#lib/auth/sign-in.ts';
import { createSession, deleteSessionCookie, invalidateSession, replaceWithVerifiedSessionIn, setSessionCookie } from '#lib/auth/sessions.ts';
import { hasTotp } from '#lib/auth/totp.ts';
import { mailSettingsFormSchema, saveMailSettings } from '#lib/mail/settings.ts';
import { refuse } from '#lib/result.ts';
import { idField } from '#lib/params.ts';
import { memberAction } from './define.ts';
import { fieldError, parseForm, refusalError } from './errors.ts';

/** A new password: the context-free rules here (so every field's message shows at once), the email rule in the handler. */
const newPassword = (missing: string) =>
  z
    .string()
    .min(1, missing)
    .max(1024, `Use at most ${PASSWORD_MAX} characters.`)
    .superRefine((password, ctx) => {
      const problem = password ? passwordProblem(password) : null;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const displayName = z
  .string({ error: `Enter your name: at least ${DISPLAY_NAME_MIN} characters` })
  .trim()
  .min(DISPLAY_NAME_MIN, `Enter your name: at least ${DISPLAY_NAME_MIN} characters`)
  .max(DISPLAY_NAME_MAX, `Use at most ${DISPLAY_NAME_MAX} characters`)
  .regex(/^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u, 'Use letters, spaces and punctuation only'); // no control or text-direction characters

const sixDigitCode = z
  .string()
  .transform((code) => code.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6-digit code your authenticator app shows now'));

const token = z.string().max(200);

/** The password already set, to confirm it is the member (sign-in, "confirm it is you", erasure). */
const currentPassword = z.string().min(1, 'Enter your password').max(1024);

/** A code from the app or a recovery code, whichever the member has to hand. */
const codeOrRecoveryCode = z.string().trim().min(6, 'Enter the 6-digit code from your authenticator app, or a recovery code').max(32);

/** What a member calls a passkey: shown on their account page and in the email about it. */
const passkeyName = z
  .string()
  .trim()
  .min(1, 'Name this passkey, for example “Work laptop”')
  .max(PASSKEY_NAME_MAX, `Use at most ${PASSKEY_NAME_MAX} characters`)
  .regex(/^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u, 'Use letters, numbers, spaces and punctuation only');

/** Bytes from WebAuthn, base64url in a hidden field; the lengths are generous bounds, not the checks. */
const webauthnBytes = (max: number) => z.string().max(max).default('');

/** The hidden fields' bytes, or a refusal when the browser sent something unreadable. */
function decodeWebAuthnFields<K extends string>(context: ActionAPIContext, fields: Record<K, string>): Record<K, Uint8Array> {
  const bytes = {} as Record<K, Uint8Array>;
  for (const [name, value] of Object.entries(fields) as [K, string][]) {
    const decoded = value ? fromBase64url(value) : null;
    if (!decoded || decoded.byteLength === 0) {
      throw refusalError(context, refuse('invalid', 'Your browser did not send a passkey. Passkeys need JavaScript and a browser that supports them; try again, or use your password and a code.'));
    }
    bytes[name] = decoded;
  }
  return bytes;
}

/** Records the browser of a completed sign-in; `alert`: email the member if it is new to them. */
async function rememberBrowser(context: ActionAPIContext, userId: number, alert: boolean): Promise<void> {
  const origin = { ip: context.clientAddress, userAgent: context.request.headers.get('user-agent') };
  const { token } = await recogniseBrowser(await getDb(), userId, context.cookies.get(BROWSER_COOKIE)?.value, origin, { alert });
  setBrowserCookie(context.cookies, token);
}

export const accounts = {
  signIn: defineAction({
    accept: 'form',
    input: z.object({
      email: z.email({ error: 'Enter your email address, like name@example.org' }).max(254),
      password: currentPassword,
      next: z.string().max(2000).optional(),
    }),
    handler: async ({ email, password, next }, context) => {
      const db = await getDb();
      const result = await checkPassword(db, email, password, context.clientAddress);
      if (!result.ok) throw refusalError(context, result);

      // A new session (and token) at every sign-in; it grants nothing until the second factor.
      if (context.locals.session) await invalidateSession(db, context.locals.session.id);
      const { token } = await createSession(db, result.user.id, {
        ip: context.clientAddress,
        userAgent: context.request.headers.get('user-agent'),
      });
      setSessionCookie(context.cookies, token);
      const destination = safeNext(next);
      const enrolled = await hasTotp(db, result.user.id);
      return {
        redirect: enrolled
          ? `/login/verify?next=${encodeURIComponent(destination)}`
          : `/account/mfa-setup?next=${encodeURIComponent(destination)}`,
      };
    },
  }),

  verifySecondFactor: defineAction({
    accept: 'form',
    input: z.object({
      code: codeOrRecoveryCode,
      next: z.string().max(2000).optional(),
    }),
    handler: async ({ code, next }, context) => {
      const { user, session } = context.locals;
      if (!user || !session) throw refusalError(context, refuse('unauthenticated', 'Your sign-in has expired. Start again.'));
      const db = await getDb();
      const result = await checkSecondFactor(db, user, code, context.clientAddress);
      if (!result.ok) throw refusalError(context, result);
      // A new token now that both factors are given; the password-only one stops working.
      const token = await write(db, (tx) => replaceWithVerifiedSessionIn(tx, session.id, user.id));
      if (!token) throw refusalError(context, refuse('unauthenticated', 'Your sign-in has expired. Start again.'));
      setSessionCookie(context.cookies, token);
      await audit(db, { actorId: user.id, action: 'sign-in', outcome: 'success', ip: context.clientAddress });
      await rememberBrowser(context, user.id, true);
      return { redirect: safeNext(next) };
    },
  }),

  /** /login, "Sign in with a passkey": the passkey is both factors, so this is a full sign-in. */
  signInWithPasskey: defineAction({
    accept: 'form',
    input: z.object({
      credentialId: webauthnBytes(1400),
      clientDataJSON: webauthnBytes(4000),
      authenticatorData: webauthnBytes(4000),
      signature: webauthnBytes(1100),
      userHandle: webauthnBytes(200),
      next: z.string().max(2000).optional(),
    }),
    handler: async ({ userHandle, next, ...fields }, context) => {
      const bytes = decodeWebAuthnFields(context, fields);
      const db = await getDb();
      // The attempt cookie works once, whatever the outcome.
      const attempt = context.cookies.get(PASSKEY_ATTEMPT_COOKIE)?.value;
      context.cookies.delete(PASSKEY_ATTEMPT_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
      const result = await signInWithPasskey(db, { ...bytes, userHandle: userHandle ? fromBase64url(userHandle) : null }, attempt, portalRelyingParty(), context.clientAddress);
      if (!result.ok) throw refusalError(context, result);
      // A new session with a new token, signed in with both factors (the passkey and the device's check).
      if (context.locals.session) await invalidateSession(db, context.locals.session.id);
      const { token } = await createSession(db, result.user.id, { ip: context.clientAddress, userAgent: context.request.headers.get('user-agent'), mfaVerified: true });
      setSessionCookie(context.cookies, token);
      await rememberBrowser(context, result.user.id, true);
      return { redirect: safeNext(next) };
    },
  }),

  signOut: defineAction({
    accept: 'form',
    handler: async (_input, context) => {
      const { user, session } = context.locals;
      if (session) {
        const db = await getDb();
        await invalidateSession(db, session.id);
        await audit(db, { actorId: user?.id ?? null, action: 'sign-out', outcome: 'success', ip: context.clientAddress });
      }
      deleteSessionCookie(context.cookies);
      context.locals.signedOut = true;
      return { redirect: '/' };
    },
  }),

  /** /invite/[token]: the invited person chooses a name and password; the link then stops working. */
  acceptInvitation: defineAction({
    accept: 'form',
    input: z.object({
      token,
      displayName,
      password: newPassword('Choose a password'),
    }),
    handler: async ({ token, displayName, password }, context) => {
      const db = await getDb();
      // The token is the authorisation: check it before any costly work (hashing).
      const invitation = await findOpenInvitation(db, token);
      if (!invitation) throw refusalError(context, refuse('gone', INVITATION_GONE_MESSAGE));
      const problem = passwordProblem(password, { email: invitation.email, displayName });
      if (problem) throw fieldError('password', problem);
      const result = await acceptInvitationToken(db, token, { displayName, password }, context.clientAddress);
      if (!result.ok) throw refusalError(context, result);

      // Signed in with the new password, but nothing opens until the authenticator app is set up.
      if (context.locals.session) await invalidateSession(db, context.locals.session.id);
      const { token: sessionToken } = await createSession(db, result.userId, {
        ip: context.clientAddress,
        userAgent: context.request.headers.get('user-agent'),
        mfaVerified: false,
      });
      setSessionCookie(context.cookies, sessionToken);
      return { redirect: '/account/mfa-setup' };
    },
  }),

  /** /account/mfa-setup: the code from the app proves it holds the key; recovery codes come back once. */
  enrolTotp: defineAction({
    accept: 'form',
    input: z.object({
      pending: z.string().max(500),
      code: sixDigitCode,
      next: z.string().max(2000).optional(),
    }),
    handler: async ({ pending, code, next }, context) => {
      const { user, session } = context.locals;
      if (!user || !session) throw refusalError(context, refuse('unauthenticated', 'Your sign-in has expired. Sign in again.'));
      const db = await getDb();
      if (await hasTotp(db, user.id)) throw refusalError(context, ALREADY_ENROLLED);
      const key = openPendingEnrolment(pending, user.id, session.id);
      if (!key) {
        throw refusalError(context, refuse('invalid', 'This set-up page has expired. Add the new key shown below to your app, then enter the code it shows.'));
      }
      const result = await completeTotpEnrolment(db, user.id, session.id, key, code, context.clientAddress);
      if (!result.ok) throw refusalError(context, result);
      setSessionCookie(context.cookies, result.token);
      // The browser the account was set up in is known from the start, without an alert.
      await rememberBrowser(context, user.id, false);
      return { recoveryCodes: result.recoveryCodes, next: safeNext(next) };
    },
  }),

  changeDisplayName: memberAction({}, async ({ db, user, ip }, form) => {
    const input = parseForm(z.object({ displayName }), form);
    await changeDisplayName(db, user.id, input.displayName, ip);
    return { redirect: '/account?done=name' };
  }),

  changePassword: memberAction({}, async ({ db, user, session, ip }, form, context) => {
    const input = parseForm(z.object({ currentPassword: z.string().min(1, 'Enter your current password').max(1024), newPassword: newPassword('Choose a new password') }), form);
    const result = await changePassword(db, user.id, session.id, input, ip);
    if (!result.ok) throw refusalError(context, result);
    return { redirect: '/account?done=password' };
  }),

  /** /account/recovery-codes: confirmed with a code from the app; the new codes come back once. */
  regenerateRecoveryCodes: memberAction({}, async ({ db, user, ip }, form, context) => {
    const { code } = parseForm(z.object({ code: sixDigitCode }), form);
    const result = await regenerateRecoveryCodesWithTotp(db, user.id, code, ip);
    if (!result.ok) throw refusalError(context, result);
    return { recoveryCodes: result.recoveryCodes };
  }),

  /** /account/email: how often each kind of email comes, the digest hour, full text. */
  saveEmailSettings: memberAction({}, async ({ db, user, ip }, form) => {
    await saveMailSettings(db, user.id, parseForm(mailSettingsFormSchema, form), ip);
    return { redirect: '/account/email?done=1' };
  }),

  /** "Confirm it's you": password and a code again, before changing how the member signs in. */
  reauthenticate: memberAction({}, async ({ db, user, session, ip }, form, context) => {
    const { password, code, next } = parseForm(z.object({ password: currentPassword, code: codeOrRecoveryCode, next: z.string().max(2000).optional() }), form);
    const result = await reauthenticate(db, user.id, session.id, { password, code }, ip);
    if (!result.ok) throw refusalError(context, result);
    return { redirect: safeNext(next, '/account') };
  }),

  /** /account/authenticator: after confirming it is them, a code from the new app replaces the old key. */
  moveAuthenticator: memberAction({}, async ({ db, user, session, ip }, form, context) => {
    const { pending, code } = parseForm(z.object({ pending: z.string().max(500), code: sixDigitCode }), form);
    const key = openPendingEnrolment(pending, user.id, session.id, new Date(), 'move');
    if (!key) throw refusalError(context, refuse('invalid', 'This page has expired. Add the new key shown below to your new app, then enter the code it shows.'));
    const result = await moveAuthenticator(db, user.id, session, key, code, ip);
    if (!result.ok) throw refusalError(context, result);
    return { redirect: '/account?done=authenticator' };
  }),

  /** /account/passkeys: after confirming it is them, the browser's new passkey and the member's name for it. */
  addPasskey: memberAction({}, async ({ db, user, session, ip }, form, context) => {
    const { name, ...fields } = parseForm(z.object({ name: passkeyName, clientDataJSON: webauthnBytes(4000), attestationObject: webauthnBytes(20_000) }), form);
    const bytes = decodeWebAuthnFields(context, fields);
    const result = await addPasskey(db, { user, session }, { name, ...bytes }, portalRelyingParty(), ip);
    if (!result.ok) throw refusalError(context, result);
    return { redirect: '/account/passkeys?done=added' };
  }),

  /** /account/passkeys: after confirming it is them; someone else's passkey is "not found". */
  removePasskey: memberAction({}, async ({ db, user, session, ip }, form, context) => {
    const { passkeyId } = parseForm(z.object({ passkeyId: idField('Choose a passkey to remove') }), form);
    const result = await removePasskey(db, { user, session }, passkeyId, ip);
    if (!result.ok) throw refusalError(context, result);
    return { redirect: '/account/passkeys?done=removed' };
  }),

  /** /account/delete: password, code and the word DELETE; then the account is erased and this browser signed out. */
  deleteAccount: memberAction({}, async ({ db, user, ip }, form, context) => {
    const input = parseForm(z.object({ password: currentPassword, code: codeOrRecoveryCode, confirmation: z.string().max(100) }), form);
    const result = await eraseOwnAccount(db, user.id, input, ip);
    if (!result.ok) throw refusalError(context, result);
    deleteSessionCookie(context.cookies);
    return { redirect: '/account/deleted' };
  }),

  /** A member ends one of their own sessions; someone else's is "not found" (and recorded as refused). */
  revokeSession: memberAction({}, async ({ db, user, session, ip }, form, context) => {
    const { sessionId } = parseForm(z.object({ sessionId: z.string().min(1).max(64) }), form);
    if (sessionId === session.id) {
      // Ending the session in use is signing out.
      await invalidateSession(db, session.id);
      await audit(db, { actorId: user.id, action: 'sign-out', outcome: 'success', ip });
      deleteSessionCookie(context.cookies);
      context.locals.signedOut = true;
      return { redirect: '/login' };
    }
    if (!(await revokeOwnSession(db, user.id, sessionId, ip))) {
      throw refusalError(context, refuse('not-found', 'That session was not found. It may have ended already.'));
    }
    return { redirect: '/account?done=session#sessions' };
  }),

  /** /forgot: the same answer whether or not the address is a member's. */
  requestPasswordReset: defineAction({
    accept: 'form',
    input: z.object({
      email: z.email({ error: 'Enter your email address, like name@example.org' }).max(254),
    }),
    handler: async ({ email }, context) => {
      const result = await requestPasswordReset(await getDb(), email, context.clientAddress);
      if (!result.ok) throw refusalError(context, result);
      return { redirect: '/forgot?sent=1' };
    },
  }),

  /** /reset/[token]: new password plus the member's second factor; the link works once. */
  resetPassword: defineAction({
    accept: 'form',
    input: z.object({
      token,
      password: newPassword('Choose a new password'),
      code: z.string().trim().max(64).optional().default(''),
    }),
    handler: async ({ token, password, code }, context) => {
      const db = await getDb();
      const reset = await findOpenReset(db, token);
      if (!reset) throw refusalError(context, refuse('gone', RESET_GONE_MESSAGE));
      if (!code && (await resetNeedsCode(db, reset.user.id))) {
        throw fieldError('code', 'Enter the 6-digit code from your authenticator app, or one of your recovery codes');
      }
      const result = await resetPasswordWithSecondFactor(db, token, { password, code }, context.clientAddress);
      if (!result.ok) throw refusalError(context, result);
      // Every session of the member has ended, this browser's included.
      if (context.locals.session?.userId === result.userId) deleteSessionCookie(context.cookies);
      return { done: true };
    },
  }),
};
