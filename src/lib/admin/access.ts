/**
 * The one check at the top of every admin page: signed in, second factor done, and an
 * administrator. A signed-in member who is not gets a 403 page (/admin/forbidden, in the
 * site's layout), and the refusal is audited.
 */
import type { AstroGlobal } from 'astro';
import { getDb } from '#lib/db.ts';
import { audit } from '#lib/auth/audit.ts';
import { requireMember, type Member } from '#lib/auth/guards.ts';
import type { Actor } from './common.ts';

export async function requireAdminPage(Astro: AstroGlobal): Promise<{ member: Member; actor: Actor } | Response> {
  const result = requireMember(Astro, 'admin');
  if (result instanceof Response) {
    if (result.status === 403) {
      await audit(await getDb(), {
        actorId: Astro.locals.user?.id ?? null,
        action: 'admin-access',
        outcome: 'refused',
        targetType: 'page',
        targetId: Astro.url.pathname,
        ip: Astro.clientAddress,
      });
      return Astro.rewrite('/admin/forbidden');
    }
    return result;
  }
  return { member: result, actor: { userId: result.user.id, sessionId: result.session.id, ip: Astro.clientAddress, via: 'web' } };
}

/** Audits a look-up of an id that does not exist; the page then answers 404. */
export async function auditNotFound(actor: Actor, targetType: string, targetId: string | undefined): Promise<void> {
  await audit(await getDb(), { actorId: actor.userId, action: 'admin-view', outcome: 'refused', targetType, targetId: targetId?.slice(0, 40), ip: actor.ip, detail: { reason: 'not-found' } });
}
