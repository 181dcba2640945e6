/**
 * The two JSON endpoints that hand the browser a WebAuthn challenge
 * (/login/passkey-options.json, /account/passkey-options.json) answer alike: JSON,
 * never cached, and only to a same-origin script. Astro's checkOrigin covers form bodies
 * only, so these check Origin and Sec-Fetch-Site themselves, before anything else.
 */
import type { Refusal } from '#lib/result.ts';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'private, no-store', ...headers } });
}

/** A 403 for a request from another site, or null for our own pages' scripts. */
export function crossSiteRefusal(request: Request, url: URL): Response | null {
  const fetchSite = request.headers.get('sec-fetch-site');
  if (request.headers.get('origin') !== url.origin || (fetchSite !== null && fetchSite !== 'same-origin')) {
    return json(403, { error: 'Cross-site requests are refused.' });
  }
  return null;
}

const statuses: Partial<Record<Refusal['reason'], number>> = { unauthenticated: 401, conflict: 409, 'rate-limited': 429 };

export function refusalResponse(refusal: Refusal): Response {
  const headers: Record<string, string> = refusal.retryAfterSeconds ? { 'Retry-After': String(refusal.retryAfterSeconds) } : {};
  return json(statuses[refusal.reason] ?? 400, { error: refusal.message }, headers);
}

/** Challenges are asked for by POST only. */
export const postOnly = () => new Response(null, { status: 405, headers: { Allow: 'POST' } });
