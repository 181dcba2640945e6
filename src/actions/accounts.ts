import { ActionError, defineAction } from 'astro:actions';
import { z } from 'astro/zod';
import { getDb } from '../lib/db.ts';
import { audit } from '../lib/auth/audit.ts';
import { safeNext } from '../lib/auth/next-url.ts';
import { checkPassword, checkSecondFactor } from '../lib/auth/sign-in.ts';
import { createSession, deleteSessionCookie, invalidateSession, markSessionMfaVerified, setSessionCookie } from '../lib/auth/sessions.ts';
import { hasTotp } from '../lib/auth/totp.ts';
import { throttledError } from './errors.ts';

export const accounts = {
  signIn: defineAction({
    accept: 'form',
    input: z.object({
      email: z.email({ error: 'Enter your email address, like name@example.org' }).max(254),
      password: z.string().min(1, 'Enter your password').max(1024),
      next: z.string().max(2000).optional(),
    }),
    handler: async ({ email, password, next }, context) => {
      const db = await getDb();
      const result = await checkPassword(db, email, password, context.clientAddress);
      if (!result.ok && result.reason === 'throttled') throw throttledError(context, result.retryAfterSeconds);
      if (!result.ok) throw new ActionError({ code: 'UNAUTHORIZED', message: 'The email address or password is not right.' });

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
      code: z.string().trim().min(6, 'Enter the 6-digit code from your authenticator app, or a recovery code').max(32),
      next: z.string().max(2000).optional(),
    }),
    handler: async ({ code, next }, context) => {
      const { user, session } = context.locals;
      if (!user || !session) throw new ActionError({ code: 'UNAUTHORIZED', message: 'Your sign-in has expired. Start again.' });
      const db = await getDb();
      const result = await checkSecondFactor(db, user, code, context.clientAddress);
      if (!result.ok && result.reason === 'throttled') throw throttledError(context, result.retryAfterSeconds);
      if (!result.ok) throw new ActionError({ code: 'UNAUTHORIZED', message: 'That code is not right, or has been used already.' });
      await markSessionMfaVerified(db, session.id);
      await audit(db, { actorId: user.id, action: 'sign-in', outcome: 'success', ip: context.clientAddress });
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
      return { redirect: '/' };
    },
  }),
};
