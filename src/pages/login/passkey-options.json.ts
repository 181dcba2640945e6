import type { APIRoute } from 'astro';
import { getDb } from '#lib/db.ts';
import { CHALLENGE_TTL_MS, PASSKEY_ATTEMPT_COOKIE, portalRelyingParty, signInOptions } from '#lib/auth/passkeys.ts';
import { crossSiteRefusal, json, postOnly, refusalResponse } from '#lib/auth/passkey-options-response.ts';

export const prerender = false;

/**
 * "Sign in with a passkey" on /login asks here for a challenge. The challenge is bound to
 * a new attempt cookie (HttpOnly, this site only, 5 minutes), so only this browser can
 * answer it. Throttled per address.
 */
export const POST: APIRoute = async ({ request, url, cookies, clientAddress }) => {
  const crossSite = crossSiteRefusal(request, url);
  if (crossSite) return crossSite;
  const result = await signInOptions(await getDb(), clientAddress, portalRelyingParty());
  if (!result.ok) return refusalResponse(result);
  cookies.set(PASSKEY_ATTEMPT_COOKIE, result.attempt, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: CHALLENGE_TTL_MS / 1000 });
  return json(200, result.options);
};

export const ALL: APIRoute = postOnly;
