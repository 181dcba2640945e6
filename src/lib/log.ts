/**
 * The portal's log: one JSON line per event on stdout (pino), at LOG_LEVEL.
 *
 * - Every line written while a request is handled carries its `reqId`, the id the
 *   server gave the request (src/server/serve.ts) and the 500 page shows, so support can
 *   find the line a member quotes.
 * - Never a password, code, token, cookie or post text: the server logs a route's pattern,
 *   not its URL, and errors pass through `safeError`, which drops the parameters drizzle
 *   puts in a failed query's message (they hold what members typed).
 *
 * One logger and one request context per process: the server and each loaded build
 * (which bundles its own copy of this module) share them through `globalThis`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger } from 'pino';
import { config } from './config.ts';

interface RequestContext {
  reqId: string;
}

interface Shared {
  logger: Logger;
  requests: AsyncLocalStorage<RequestContext>;
  /** Set by the server: Astro's own messages go to this log instead of the console. */
  serving: boolean;
}

const SHARED = Symbol.for('nmsn-portal.log');

/** A failed drizzle query's message ends with "params: …", the values bound to it. */
const QUERY_PARAMETERS = /\nparams: [\s\S]*?(?=\n {4}at |$)/;

/** A message or stack without the values bound to a failed query. */
export function withoutQueryParameters(text: string): string {
  return text.replace(QUERY_PARAMETERS, '\nparams: [not logged]');
}

/** pino's error serialiser, without the bound values of a failed query. */
export function safeError(error: unknown): Record<string, unknown> {
  const serialised = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack'] as const) {
    if (typeof serialised[key] === 'string') serialised[key] = withoutQueryParameters(serialised[key] as string);
  }
  return serialised;
}

/** A logger with the portal's format; tests pass their own destination to read the lines. */
export function createLogger(level: string, destination?: DestinationStream, requests?: AsyncLocalStorage<RequestContext>): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: safeError },
      mixin: (fields: object) => {
        const request = requests?.getStore();
        return request && !('reqId' in fields) ? { reqId: request.reqId } : {};
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

function shared(): Shared {
  const holder = globalThis as { [SHARED]?: Shared };
  if (!holder[SHARED]) {
    const requests = new AsyncLocalStorage<RequestContext>();
    holder[SHARED] = { logger: createLogger(config().LOG_LEVEL, undefined, requests), requests, serving: false };
  }
  return holder[SHARED];
}

/** The process's log. */
export function log(): Logger {
  return shared().logger;
}

/** Runs a request's handling with its id, so every line logged meanwhile carries it. */
export function withRequestId<T>(reqId: string, work: () => T): T {
  return shared().requests.run({ reqId }, work);
}

/** The id of the request being handled, if any. */
export function currentRequestId(): string | undefined {
  return shared().requests.getStore()?.reqId;
}

/** Called by the server once it serves: from then on Astro's messages are logged here too. */
export function markServing(): void {
  shared().serving = true;
}

export function isServing(): boolean {
  return shared().serving;
}
