import { describe, expect, it } from 'vitest';
import { loadServerConfig } from '#server/config.ts';
import { securityHeaders } from '#server/security-headers.ts';

describe('server configuration', () => {
  it('defaults to localhost:4321', () => {
    const config = loadServerConfig({});
    expect(config).toMatchObject({ host: 'localhost', port: 4321 });
    expect(config.publicOrigin.href).toBe('http://localhost:4321/');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SITE_URL: 'ftp://example.org' }, 'SITE_URL'],
    [{ SITE_URL: 'not a url' }, 'SITE_URL'],
  ])('stops on a bad value with one line naming the variable (%o)', (env, name) => {
    expect(() => loadServerConfig(env)).toThrow(new RegExp(`^Configuration error: ${name} `));
  });
});

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
