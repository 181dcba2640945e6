import type { APIRoute } from 'astro';
import { BODY_MAX } from '#lib/forum/limits.ts';
import { renderMarkdown } from '#lib/forum/markdown.ts';
import { findPersonalData } from '#lib/forum/safeguarding.ts';
import { formatCount } from '#lib/numbers.ts';

export const prerender = false;

/** Generous for 20,000 characters of text in JSON (escapes, multi-byte letters), and no more. */
const MAX_REQUEST_BYTES = 200_000;

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'private, no-store' } });

/**
 * The composer's live preview: Markdown in, the HTML a post would get out (the same
 * sanitising pipeline), with what the safeguarding check would flag. It saves nothing.
 * A JSON body is not covered by Astro's checkOrigin (form bodies only), so this checks
 * the Origin and Sec-Fetch-Site itself, before anything else.
 */
export const POST: APIRoute = async ({ request, locals, url }) => {
  const fetchSite = request.headers.get('sec-fetch-site');
  if (request.headers.get('origin') !== url.origin || (fetchSite !== null && fetchSite !== 'same-origin')) {
    return json(403, { error: 'Cross-site requests are refused.' });
  }
  if (!locals.user || !locals.session?.mfaVerified) return json(401, { error: 'Sign in to preview posts.' });
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    return json(415, { error: 'Send the text as JSON: {"body": "…"}.' });
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_REQUEST_BYTES) return json(413, { error: `Keep a post to ${formatCount(BODY_MAX)} characters or fewer.` });
  const raw = await request.text();
  if (raw.length > MAX_REQUEST_BYTES) return json(413, { error: `Keep a post to ${formatCount(BODY_MAX)} characters or fewer.` });
  let body: unknown;
  try {
    body = (JSON.parse(raw) as { body?: unknown }).body;
  } catch {
    return json(400, { error: 'The request was not valid JSON.' });
  }
  if (typeof body !== 'string') return json(400, { error: 'Send the text as {"body": "…"}.' });
  if (body.length > BODY_MAX) return json(413, { error: `Keep a post to ${formatCount(BODY_MAX)} characters or fewer.` });
  const findings = findPersonalData(body).map(({ kind, label, text }) => ({ kind, label, text }));
  return json(200, { html: renderMarkdown(body), findings });
};

/** Previews are made by POST only. */
export const ALL: APIRoute = () => new Response(null, { status: 405, headers: { Allow: 'POST' } });
