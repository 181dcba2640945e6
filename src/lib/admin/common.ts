/**
 * What every administration function shares: who is acting, and small helpers. Pages,
 * actions, the CLI and tests call the same functions, so the rules
 * (no self-suspension, unknown ids refused and audited…) hold whichever door is used.
 */

/** Who is acting: an administrator in the browser, or someone at the server's command line. */
export interface Actor {
  /** The administrator's user id; null for the command line. */
  userId: number | null;
  /** The administrator's current session, kept when they revoke their own sessions. */
  sessionId?: string | null;
  /** Where the request came from (context.clientAddress); null for the command line. */
  ip: string | null;
  via: 'web' | 'cli';
}

/** The command line acts as nobody in particular; its audit rows say `via: 'cli'`. */
export const cliActor: Actor = { userId: null, ip: null, via: 'cli' };

/** Audit detail for an actor: rows written from the command line say so. */
export function withVia(actor: Actor, detail: Record<string, unknown> = {}): Record<string, unknown> | undefined {
  const full = actor.via === 'cli' ? { ...detail, via: 'cli' } : detail;
  return Object.keys(full).length > 0 ? full : undefined;
}

/** True when a database error is a UNIQUE constraint failure (drizzle wraps the driver's error). */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof Error && /UNIQUE constraint failed/i.test(e.message)) return true;
    if (e === (e as { cause?: unknown }).cause) break;
  }
  return false;
}

/** `YYYY-MM-DD HH:MM:SS UTC`: admin pages and the CLI show times in UTC, said so. */
export function formatUtc(date: Date | null | undefined): string {
  if (!date) return '';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Escapes LIKE wildcards so a search for `50%` or `a_b` means those characters. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
