import type { APIContext, AstroGlobal } from 'astro';
import { ActionError } from 'astro:actions';
import type { Role, Session } from '#db/schema.ts';
import { signInPath } from './next-url.ts';
import { accessProblem } from './permissions.ts';
import type { SessionUser } from './sessions.ts';

type Context = Pick<APIContext, 'locals' | 'url' | 'redirect'> | AstroGlobal;

export type Member = { user: SessionUser; session: Session };

/** Where to send a visitor who must sign in, coming back here afterwards. */
export function signInUrl(url: URL): string {
  return signInPath(url.pathname, url.search);
}

/**
 * For pages: the signed-in, fully verified member, or a Response to return instead
 * (sign in, finish MFA, or 403). Pages start with one line and cannot forget the check:
 *   const member = requireMember(Astro, 'admin'); if (member instanceof Response) return member;
 */
export function requireMember(ctx: Context, role: Role = 'member'): Member | Response {
  const { user, session } = ctx.locals;
  const problem = accessProblem(user, session, role);
  if (problem === 'sign-in') return ctx.redirect(signInUrl(ctx.url));
  if (problem === 'second-factor') return ctx.redirect(`/login/verify?next=${encodeURIComponent(ctx.url.pathname)}`);
  if (problem === 'role') return new Response('Forbidden', { status: 403 });
  return { user: user!, session: session! };
}

/** For Actions, which are public endpoints: throws instead of redirecting. */
export function requireActor(ctx: Pick<APIContext, 'locals'>, role: Role = 'member'): Member {
  const { user, session } = ctx.locals;
  const problem = accessProblem(user, session, role);
  if (problem === 'sign-in' || problem === 'second-factor') throw new ActionError({ code: 'UNAUTHORIZED', message: 'Sign in to do this.' });
  if (problem === 'role') throw new ActionError({ code: 'FORBIDDEN', message: 'You do not have permission to do this.' });
  return { user: user!, session: session! };
}
