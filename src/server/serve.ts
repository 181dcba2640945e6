import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { securityHeaders } from './security-headers.ts';
import { handleUnsubscribePost } from './unsubscribe.ts';

type NodeHandler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;

export interface ServeOptions {
  /** The build output folder (dist/ unless a benchmark built elsewhere). */
  distDir: string;
  host: string;
  port: number;
  publicOrigin: URL;
}

/**
 * Serves the built portal: Astro's standalone handler (static files first, then
 * on-demand routes), with the security headers set on every response. One-click
 * unsubscribe POSTs from mail programs are answered before Astro (./unsubscribe.ts).
 */
export async function serve({ distDir, host, port, publicOrigin }: ServeOptions): Promise<{ server: Server; url: URL }> {
  // A switch of @astrojs/node (not one of our settings): import its handler without it listening.
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  const entry = pathToFileURL(join(distDir, 'server/entry.mjs')).href;
  const { handler } = (await import(entry)) as { handler: NodeHandler };
  const headers = securityHeaders(publicOrigin);
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    if (handleUnsubscribePost(req, res)) return;
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { server, url: new URL(`http://${host === '0.0.0.0' ? 'localhost' : host}:${actualPort}/`) };
}
