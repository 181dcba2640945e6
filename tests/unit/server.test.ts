import { describe, expect, it } from 'vitest';
import { forbidFraming, securityHeaders } from '#server/security-headers.ts';

describe('security headers', () => {
  it('forbid framing, sniffing and powerful features', () => {
    const h = securityHeaders(new URL('http://localhost:4321'));
    expect(h['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(h['Content-Security-Policy']).toContain("object-src 'none'");
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['X-Frame-Options']).toBe('DENY');
    expect(h['Referrer-Policy']).toBe('strict-origin-when-cross-origin');
  });

  it('send HSTS for one year only when the site is served over HTTPS', () => {
    expect(securityHeaders(new URL('http://localhost:4321'))['Strict-Transport-Security']).toBeUndefined();
    expect(securityHeaders(new URL('https://portal.example.org'))['Strict-Transport-Security']).toMatch(/max-age=31536000/);
  });
});

describe('forbidFraming', () => {
  it("adds frame-ancestors 'none' to a page's own policy, and keeps one that has it", () => {
    expect(forbidFraming("default-src 'self'; script-src 'self' 'sha256-x';")).toBe("default-src 'self'; script-src 'self' 'sha256-x'; frame-ancestors 'none'");
    expect(forbidFraming("default-src 'self'")).toBe("default-src 'self'; frame-ancestors 'none'");
    expect(forbidFraming("frame-ancestors 'none'; object-src 'none'")).toBe("frame-ancestors 'none'; object-src 'none'");
  });
});
