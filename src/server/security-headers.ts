/**
 * Headers every response carries, static files included. Script and style hashes come
 * from Astro's CSP meta tag on each page; directives a meta tag cannot carry are here.
 */
export function securityHeaders(publicOrigin: URL): Record<string, string> {
  const headers: Record<string, string> = {
    // frame-ancestors only works as a header; the rest repeat the meta policy for non-HTML responses.
    'Content-Security-Policy': "frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'",
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
