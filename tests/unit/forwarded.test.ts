import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { proxyMatcher, settleForwardedHeaders } from '#server/forwarded.ts';
import { loadConfig } from '#lib/config.ts';

function request(peer: string, headers: Record<string, string>): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers: { ...headers } } as unknown as IncomingMessage;
}

describe('forwarded headers', () => {
  const proxies = proxyMatcher(['10.0.0.0/8', '::1']);

  it('are dropped when the connection is not from a trusted proxy, whatever the Host says', () => {
    const req = request('203.0.113.7', { host: 'localhost', 'x-forwarded-for': '198.51.100.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', forwarded: 'for=1.2.3.4' });
    expect(settleForwardedHeaders(req, proxies).client).toBe('203.0.113.7');
    expect(req.headers).toEqual({ host: 'localhost' });
  });

  it('are dropped by default: no proxy is trusted unless configured', () => {
    const req = request('127.0.0.1', { 'x-forwarded-for': '198.51.100.1' });
    expect(settleForwardedHeaders(req, proxyMatcher(loadConfig({}).TRUSTED_PROXIES)).client).toBe('127.0.0.1');
    expect(req.headers['x-forwarded-for']).toBeUndefined();
  });

  it('from a trusted proxy give the nearest untrusted address, not what the client wrote on the left', () => {
    const req = request('10.0.0.2', { 'x-forwarded-for': '6.6.6.6, 198.51.100.9, 10.0.0.3', 'x-forwarded-proto': 'https, http' });
    expect(settleForwardedHeaders(req, proxies).client).toBe('198.51.100.9');
    expect(req.headers['x-forwarded-for']).toBe('198.51.100.9');
    expect(req.headers['x-forwarded-proto']).toBe('https');
  });

  it('match IPv4 proxies on a dual-stack socket and IPv6 ones', () => {
    expect(settleForwardedHeaders(request('::ffff:10.1.2.3', { 'x-forwarded-for': '198.51.100.4' }), proxies).client).toBe('198.51.100.4');
    expect(settleForwardedHeaders(request('::1', { 'x-forwarded-for': '2001:db8::1' }), proxies).client).toBe('2001:db8::1');
  });

  it('stop at an entry that is not an address', () => {
    expect(settleForwardedHeaders(request('10.0.0.2', { 'x-forwarded-for': '198.51.100.1, nonsense' }), proxies).client).toBe('10.0.0.2');
    expect(settleForwardedHeaders(request('10.0.0.2', {}), proxies).client).toBe('10.0.0.2');
  });

  it('TRUSTED_PROXIES takes addresses, ranges and loopback, and refuses anything else', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.5, 10.0.0.0/8,fd00::/8, loopback' }).TRUSTED_PROXIES).toEqual(['10.0.0.5', '10.0.0.0/8', 'fd00::/8', 'loopback']);
    expect(loadConfig({ TRUSTED_PROXIES: '' }).TRUSTED_PROXIES).toEqual([]);
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.1/8/1', '*']) {
      expect(() => loadConfig({ TRUSTED_PROXIES: bad })).toThrow(/^Configuration error: TRUSTED_PROXIES /);
    }
  });
});
