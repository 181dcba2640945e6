import type { APIRoute } from 'astro';
import { getDb } from '#lib/db.ts';
import { portalRelyingParty, registrationOptions } from '#lib/auth/passkeys.ts';
import { accessProblem } from '#lib/auth/permissions.ts';
import { crossSiteRefusal, json, postOnly, refusalResponse } from '#lib/auth/passkey-options-response.ts';

export const prerender = false;

/**
 * "Add a passkey" on /account/passkeys asks here for a challenge, bound to the member's
 * session; the member must be fully signed in and have confirmed it is them.
 */
export const POST: APIRoute = async ({ request, url, locals }) => {
  const crossSite = crossSiteRefusal(request, url);
  if (crossSite) return crossSite;
  const { user, session } = locals;
  if (accessProblem(user, session) !== null) return json(401, { error: 'Sign in to add a passkey.' });
  const result = await registrationOptions(await getDb(), { user: user!, session: session! }, portalRelyingParty());
  if (!result.ok) return refusalResponse(result);
  return json(200, result.options);
};

export const ALL: APIRoute = postOnly;
