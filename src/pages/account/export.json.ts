import type { APIRoute } from 'astro';
import { getDb } from '#lib/db.ts';
import { exportMyData } from '#lib/auth/account.ts';
import { audit } from '#lib/auth/audit.ts';
import { requireMember } from '#lib/auth/guards.ts';

export const prerender = false;

/**
 * "Download my data" (UK GDPR right of access): the signed-in member's own data as a
 * JSON file. A GET, because it changes nothing the member owns; the download is recorded
 * in the audit log.
 */
export const GET: APIRoute = async (context) => {
  const member = requireMember(context);
  if (member instanceof Response) return member;
  const db = await getDb();
  const now = new Date();
  const data = await exportMyData(db, member.user.id, member.session.id, now);
  await audit(db, { actorId: member.user.id, action: 'data-export', outcome: 'success', targetType: 'user', targetId: member.user.id, ip: context.clientAddress }, now);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="nmsn-my-data-${now.toISOString().slice(0, 10)}.json"`,
      'Cache-Control': 'private, no-store',
    },
  });
};
