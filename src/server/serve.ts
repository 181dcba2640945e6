import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import compression from 'compression';
import { provideDatabase, type Database } from '#lib/db.ts';
import { isEditorAppPath } from '#lib/editing/csp.ts';
import { log, markServing, withRequestId } from '#lib/log.ts';
import { beforeHeaders } from './before-headers.ts';
import { proxyMatcher, settleForwardedHeaders } from './forwarded.ts';
import { answerHealth, HEALTH_PATHS } from './health.ts';
import { removeIslandStyleAsWritten } from './island-style.ts';
import { MEMBER_HEADER, ROUTE_HEADER } from './internal-headers.ts';
import { sendPrecompressed } from './precompressed.ts';
import { forbidFraming, securityHeaders } from './security-headers.ts';
import { handleUnsubscribePost } from './unsubscribe.ts';

/** The log's name for a one-click unsubscribe POST: its path holds the member's token. */
const UNSUBSCRIBE_ROUTE = '/unsubscribe/[token]';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

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
 * Pages and other text answers are compressed as they are sent (brotli or gzip, as the
 * browser accepts). Not a part of a file (a Range request): the range is of the file.
 */
const compress = compression({ filter: (req, res) => !req.headers.range && compression.filter(req, res) });

/** A proxy's own request id is kept when it looks like one, so both logs share it. */
const PROXY_REQUEST_ID = /^[\w.:-]{8,64}$/;

/**
 * Serves the built portal: health checks and one-click unsubscribe POSTs from mail
 * programs (./unsubscribe.ts) first, then the assets compressed at build time
 * (./precompressed.ts), then Astro's standalone handler (static files, then on-demand
 * routes), compressed as it goes, with the security headers on every response and one
 * log line per request. The handler is looked up per request, so a publish can switch
 * the server to a new build (`site.swap`).
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
  markServing();
  const headers = securityHeaders(publicOrigin);
  const proxies = proxyMatcher(trustedProxies);

  const server = createServer((req, res) => {
    const started = performance.now();
    const given = req.headers['x-request-id'];
    const { viaProxy } = settleForwardedHeaders(req, proxies);
    const reqId = viaProxy && typeof given === 'string' && PROXY_REQUEST_ID.test(given) ? given : randomUUID();
    req.headers['x-request-id'] = reqId;
    res.setHeader('X-Request-Id', reqId);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);

    const path = (req.url ?? '/').split('?', 1)[0]!;
    let route: string | undefined;
    let member: number | undefined;
    beforeHeaders(res, (res) => {
      res.setHeader('Content-Security-Policy', forbidFraming(String(res.getHeader('Content-Security-Policy'))));
      route = (res.getHeader(ROUTE_HEADER) as string | undefined) ?? route;
      const memberId = res.getHeader(MEMBER_HEADER);
      if (memberId !== undefined) member = Number(memberId);
      res.removeHeader(ROUTE_HEADER);
      res.removeHeader(MEMBER_HEADER);
      // An on-demand page, but for the browser editor (Keystatic's own app, left as it is).
      if (route !== undefined && !isEditorAppPath(path)) removeIslandStyleAsWritten(res);
    });
    res.once('close', () => {
      const line = {
        reqId,
        method: req.method,
        // The route's pattern, never the URL (it may hold a token). A static file's path is
        // public; a path that found nothing is whatever the client typed, so it is left out.
        route: route ?? (HEALTH_PATHS.has(path) ? path : 'static'),
        ...(route === undefined && !HEALTH_PATHS.has(path) && res.statusCode < 400 ? { path } : {}),
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(member !== undefined ? { member } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (HEALTH_PATHS.has(path)) log().debug(line, 'request');
      else log().info(line, 'request');
    });

    withRequestId(reqId, () => {
      if (HEALTH_PATHS.has(path)) return void answerHealth(req, res, path);
      if (handleUnsubscribePost(req, res)) {
        route ??= UNSUBSCRIBE_ROUTE;
        return;
      }
      if (sendPrecompressed(req, res, join(current.distDir, 'client'))) return;
      const { handler } = current;
      compress(req as Parameters<typeof compress>[0], res as Parameters<typeof compress>[1], () => handler(req, res));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { server, url: new URL(`http://${host === '0.0.0.0' ? 'localhost' : host}:${actualPort}/`), site };
}
