import type { APIContext, AstroGlobal } from 'astro';
import { ActionError } from 'astro:actions';
import type { Role, Session, User } from '#db/schema.ts';
import { hasRole } from './roles.ts';

type Context = Pick<APIContext, 'locals' | 'url' | 'redirect'> | AstroGlobal;

export type Member = { user: User; session: Session };

/** Where to send a visitor who must sign in, coming back here afterwards. */
export function signInUrl(url: URL): string {
  return `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
}

/**
 * For pages: the signed-in, fully verified member, or a Response to return instead
 * (sign in, finish MFA, or 403). Pages start with one line and cannot forget the check:
 *   const member = requireMember(Astro, 'admin'); if (member instanceof Response) return member;
 */
export function requireMember(ctx: Context, role: Role = 'member'): Member | Response {
  const { user, session } = ctx.locals;
  if (!user || !session) return ctx.redirect(signInUrl(ctx.url));
  if (!session.mfaVerified) return ctx.redirect(`/login/verify?next=${encodeURIComponent(ctx.url.pathname)}`);
  if (!hasRole(user.role, role)) return new Response('Forbidden', { status: 403 });
  return { user, session };
}

/** For Actions, which are public endpoints: throws instead of redirecting. */
export function requireActor(ctx: Pick<APIContext, 'locals'>, role: Role = 'member'): Member {
  const { user, session } = ctx.locals;
  if (!user || !session || !session.mfaVerified) throw new ActionError({ code: 'UNAUTHORIZED', message: 'Sign in to do this.' });
  if (!hasRole(user.role, role)) throw new ActionError({ code: 'FORBIDDEN', message: 'You do not have permission to do this.' });
  return { user, session };
}
