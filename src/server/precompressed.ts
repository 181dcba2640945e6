import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import send from 'send';

/** The assets written compressed at build time (src/integrations/precompress.ts), with their types. */
export const PRECOMPRESSED_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ics': 'text/calendar; charset=utf-8',
  '.wasm': 'application/wasm',
};

const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** The encodings an Accept-Encoding header allows (q > 0), brotli first. */
export function acceptedEncodings(header: string | undefined): ('br' | 'gzip')[] {
  const allowed = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && !(Number(q.slice(2)) > 0)) continue;
    allowed.add(token.trim());
  }
  return ENCODINGS.map((e) => e.name).filter((name) => allowed.has(name));
}

/**
 * Sends the brotli or gzip copy of a static asset written at build time, when the
 * browser accepts one, with `Vary: Accept-Encoding` so a cache keeps the encodings apart.
 * Hashed assets under /_astro/ never change under their name: cached for a year. Returns
 * false (and sends nothing) for any other request, which Astro then serves.
 */
export function sendPrecompressed(req: IncomingMessage, res: ServerResponse, clientDir: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  let path: string;
  try {
    path = decodeURIComponent((req.url ?? '/').split('?', 1)[0]!);
  } catch {
    return false;
  }
  const type = PRECOMPRESSED_TYPES[extname(path)];
  // normalize() resolves `..`; a path that still climbs out is not a file of ours.
  const file = normalize(path);
  if (!type || !file.startsWith('/') || file.includes('\0') || file.split('/').some((part) => part.startsWith('.'))) return false;
  const encoding = acceptedEncodings(req.headers['accept-encoding'] as string | undefined)
    .map((name) => ENCODINGS.find((e) => e.name === name)!)
    .find((e) => existsSync(join(clientDir, file + e.suffix)));
  if (!encoding) {
    // Astro sends the file as it is; a cache must still not give it to a browser that asked for brotli.
    if (existsSync(join(clientDir, `${file}.br`))) res.setHeader('Vary', 'Accept-Encoding');
    return false;
  }
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Encoding', encoding.name);
  res.setHeader('Vary', 'Accept-Encoding');
  if (file.startsWith('/_astro/')) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  send(req, file + encoding.suffix, { root: clientDir, dotfiles: 'deny', cacheControl: !file.startsWith('/_astro/') })
    .on('error', (error: { status?: number }) => {
      res.statusCode = error.status ?? 500;
      res.end();
    })
    .pipe(res);
  return true;
}
