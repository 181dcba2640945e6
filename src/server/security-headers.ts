/**
 * Headers every response carries, static files included. Script and style hashes come
 * from Astro's CSP (a meta tag on prerendered pages, a header on on-demand ones);
 * directives a meta tag cannot carry are here.
 */
export function securityHeaders(publicOrigin: URL): Record<string, string> {
  const headers: Record<string, string> = {
    // frame-ancestors only works as a header; the rest repeat the meta policy for non-HTML responses.
    'Content-Security-Policy': "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'",
    // For browsers that predate frame-ancestors.
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
  // HSTS only means something over HTTPS; a plain-http localhost must not pin itself.
  if (publicOrigin.protocol === 'https:') headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}

/**
 * The policy to send, given the one a response was about to go out with. Astro sends its
 * own per-page `Content-Security-Policy` header on on-demand pages, replacing ours, and
 * it has no `frame-ancestors`: add it, so every page refuses to be framed.
 */
export function forbidFraming(policy: string): string {
  if (/(^|;)\s*frame-ancestors\s/i.test(policy)) return policy;
  return `${policy.trim().replace(/;?$/, ';')} frame-ancestors 'none'`;
}
