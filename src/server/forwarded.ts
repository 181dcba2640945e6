/**
 * Who is asking: the client address that throttling and the audit log use, and the
 * forwarded protocol and host that Astro's origin check compares with.
 *
 * Any client can send `X-Forwarded-For` (and any `Host`), so forwarded headers are
 * believed only when the connection itself comes from a configured proxy
 * (TRUSTED_PROXIES, matched on the socket's address). From anyone else they are removed
 * before Astro sees the request. From a proxy, the client is the nearest address in
 * `X-Forwarded-For` that is not itself a trusted proxy, reading from the right: the
 * entries to its left were written by the client and prove nothing. Astro then receives
 * that one address as the whole header.
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

const FORWARDED_HEADERS = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded'] as const;

/** TRUSTED_PROXIES entries (validated in src/lib/config.ts) as an address matcher. */
export function proxyMatcher(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

function isTrusted(proxies: BlockList, address: string | undefined): boolean {
  const family = isIP(address ?? '');
  return family !== 0 && proxies.check(address!, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Rewrites the request's forwarded headers to what can be believed, and returns the
 * client's address and whether the request came through a trusted proxy. Call it before
 * anything reads the headers.
 */
export function settleForwardedHeaders(req: IncomingMessage, proxies: BlockList): { client: string; viaProxy: boolean } {
  const peer = req.socket.remoteAddress ?? '';
  if (!isTrusted(proxies, peer)) {
    for (const name of FORWARDED_HEADERS) delete req.headers[name];
    return { client: peer, viaProxy: false };
  }
  const hops = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isIP(hop)) break; // not an address: nothing further left can be trusted either
    client = hop;
    if (!isTrusted(proxies, hop)) break;
  }
  req.headers['x-forwarded-for'] = client;
  for (const name of ['x-forwarded-proto', 'x-forwarded-host'] as const) {
    const value = req.headers[name];
    if (typeof value === 'string') req.headers[name] = value.split(',')[0]!.trim();
  }
  delete req.headers['x-forwarded-port'];
  delete req.headers.forwarded;
  return { client, viaProxy: true };
}
