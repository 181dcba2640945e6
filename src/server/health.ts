/**
 * Health checks for a load balancer or an orchestrator, answered before anything else
 * (no session, no Astro), with no personal data:
 * - `GET /healthz`: the process is alive and answering (200).
 * - `GET /readyz`: it can serve: the database answers and has every migration this
 *   code expects (200), or 503 with the reason, e.g. during a migration or when the
 *   database cannot be reached.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getDb, migrationsCurrent } from '#lib/db.ts';
import { log } from '#lib/log.ts';

export const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

function answer(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readiness(): Promise<string | null> {
  try {
    return (await migrationsCurrent(await getDb())) ? null : 'migrations pending';
  } catch (error) {
    log().warn({ err: error }, 'readiness check: database unreachable');
    return 'database unreachable';
  }
}

export async function answerHealth(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, { status: 'method not allowed' });
  if (path === '/healthz') return answer(res, 200, { status: 'ok' });
  const problem = await readiness();
  answer(res, problem ? 503 : 200, problem ? { status: 'unavailable', reason: problem } : { status: 'ok' });
}
