/**
 * RFC 8058 one-click unsubscribe: `POST /unsubscribe/<token>` with the body
 * `List-Unsubscribe=One-Click`, sent by the member's mail program (Gmail, Outlook…) from
 * its own servers, with no cookie and no Origin of ours. Astro's origin check refuses
 * every cross-site form POST by design, so this one address is answered here, in the
 * Node wrapper, before Astro: the signed token is the whole authorisation, and the rule
 * itself lives in src/lib/mail/unsubscribe.ts. The page at the same address (GET) posts
 * its button here too and is sent back to the page to see that it is done.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getDb } from '#lib/db.ts';
import { unsubscribe } from '#lib/mail/unsubscribe.ts';

const PATH = /^\/unsubscribe\/([A-Za-z0-9._-]{1,200})$/;
const MAX_BODY = 2_048;

/** True when this request is one for us (and has been answered). */
export function handleUnsubscribePost(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'POST') return false;
  const url = new URL(req.url ?? '/', 'http://localhost');
  const match = PATH.exec(url.pathname);
  if (!match) return false;
  readBody(req)
    .then(async (body) => {
      // RFC 8058 allows a urlencoded or a multipart body; either way it holds "One-Click".
      const oneClick = body.includes('One-Click');
      const done = await unsubscribe(await getDb(), match[1]!, req.socket.remoteAddress ?? null);
      if (oneClick) {
        res.writeHead(done ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end(done ? 'Unsubscribed.\n' : 'This unsubscribe link is not valid.\n');
        return;
      }
      // The page's own button: show the page again, saying it is done (or that the link is not valid).
      res.writeHead(303, { location: `${url.pathname}${done ? '?done=1' : ''}`, 'cache-control': 'no-store' });
      res.end();
    })
    .catch((error: unknown) => {
      console.error(`Unsubscribe failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(error instanceof BodyTooLarge ? 413 : 500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(error instanceof BodyTooLarge ? 'Too large.\n' : 'Something went wrong. Try again later.\n');
    });
  return true;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new BodyTooLarge());
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
