import { describe, expect, it } from 'vitest';
import { securityHeaders } from '#server/security-headers.ts';

describe('security headers', () => {
  it('forbid framing, sniffing and powerful features', () => {
    const h = securityHeaders(new URL('http://localhost:4321'));
    expect(h['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(h['Content-Security-Policy']).toContain("object-src 'none'");
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['Referrer-Policy']).toBe('strict-origin-when-cross-origin');
  });

  it('send HSTS for one year only when the site is served over HTTPS', () => {
    expect(securityHeaders(new URL('http://localhost:4321'))['Strict-Transport-Security']).toBeUndefined();
    expect(securityHeaders(new URL('https://portal.example.org'))['Strict-Transport-Security']).toMatch(/max-age=31536000/);
  });
});
