import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { provideDatabase, type Database } from '#lib/db.ts';
import { beforeHeaders } from './before-headers.ts';
import { proxyMatcher, settleForwardedHeaders } from './forwarded.ts';
import { forbidFraming, securityHeaders } from './security-headers.ts';
import { handleUnsubscribePost } from './unsubscribe.ts';

export type NodeHandler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;

export interface ServeOptions {
  /** The build output folder (dist/ unless a benchmark built elsewhere). */
  distDir: string;
  host: string;
  port: number;
  publicOrigin: URL;
  /**
   * The process's database, handed to every build it loads (each build bundles its own
   * copy of src/lib, so without this each would open its own client and write queue).
   */
  db?: Database;
  /** TRUSTED_PROXIES: whose forwarded headers are believed (./forwarded.ts). Default: nobody's. */
  trustedProxies?: readonly string[];
}

/** The build serving now, and how to switch to another without a restart. */
export interface LiveSite {
  readonly distDir: string;
  /** New requests go to `handler` from now on; requests under way finish on the old one. */
  swap(handler: NodeHandler, distDir: string): void;
}

/** A build's request handler (@astrojs/node standalone), imported without it listening. */
export async function loadHandler(distDir: string): Promise<NodeHandler> {
  // A switch of @astrojs/node (not one of our settings): import its handler without it listening.
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  const entry = pathToFileURL(join(distDir, 'server/entry.mjs')).href;
  return ((await import(entry)) as { handler: NodeHandler }).handler;
}

/**
 * Serves the built portal: Astro's standalone handler (static files first, then
 * on-demand routes), with the security headers set on every response. One-click
 * unsubscribe POSTs from mail programs are answered before Astro (./unsubscribe.ts). The
 * handler is looked up per request, so a publish can switch the server to a new build
 * (`site.swap`).
 */
export async function serve({ distDir, host, port, publicOrigin, db, trustedProxies = [] }: ServeOptions): Promise<{ server: Server; url: URL; site: LiveSite }> {
  if (db) provideDatabase(db);
  let current = { handler: await loadHandler(distDir), distDir };
  const site: LiveSite = {
    get distDir() {
      return current.distDir;
    },
    swap(handler, dir) {
      current = { handler, distDir: dir };
    },
  };
  const headers = securityHeaders(publicOrigin);
  const proxies = proxyMatcher(trustedProxies);
  const server = createServer((req, res) => {
    settleForwardedHeaders(req, proxies);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    beforeHeaders(res, (res) => {
      res.setHeader('Content-Security-Policy', forbidFraming(String(res.getHeader('Content-Security-Policy'))));
    });
    if (handleUnsubscribePost(req, res)) return;
    current.handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { server, url: new URL(`http://${host === '0.0.0.0' ? 'localhost' : host}:${actualPort}/`), site };
}
