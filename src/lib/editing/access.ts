/**
 * The one check at the top of every editor's page and route: signed in, second factor
 * done, and an editor or administrator. A signed-in member who is not gets the 403 page
 * (/editor/forbidden); the refusal is audited.
 */
import type { APIContext, AstroGlobal } from 'astro';
import { audit } from '#lib/auth/audit.ts';
import { requireMember, type Member } from '#lib/auth/guards.ts';
import { getDb } from '#lib/db.ts';

export async function auditEditorRefusal(userId: number | null, target: string, ip: string | null): Promise<void> {
  await audit(await getDb(), { actorId: userId, action: 'editor-access', outcome: 'refused', targetType: 'page', targetId: target.slice(0, 200), ip });
}

export async function requireEditorPage(ctx: AstroGlobal | APIContext): Promise<Member | Response> {
  const result = requireMember(ctx, 'editor');
  if (result instanceof Response && result.status === 403) {
    await auditEditorRefusal(ctx.locals.user?.id ?? null, ctx.url.pathname, ctx.clientAddress);
    return ctx.rewrite('/editor/forbidden');
  }
  return result;
}
