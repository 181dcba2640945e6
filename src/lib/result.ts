/**
 * What a lib function answers: `{ ok: true, … }`, or a refusal with a reason from one
 * list and a message for the person. A refusal changes nothing. src/actions/errors.ts
 * turns each reason into an HTTP status, in one place; lib knows nothing of HTTP.
 */

/** Why something was refused. Each reason has one meaning, and so one HTTP status. */
export type RefusalReason =
  /** The input is wrong (a field's value, a choice not on the list). */
  | 'invalid'
  /** The post may hold a victim's personal data, and its author has not confirmed it. */
  | 'safeguarding'
  /** Who is asking is not proven: a wrong password or code, a sign-in that expired. */
  | 'unauthenticated'
  /** It exists and they can see it, but it is not theirs to do. */
  | 'forbidden'
  /** An administrator acting on their own account, which would leave the network without one. */
  | 'self'
  /** The thread is locked. */
  | 'locked'
  /** It does not exist, or they may not see it: the same answer, so ids cannot be probed. */
  | 'not-found'
  /** A link that worked once and no longer does (used, expired, revoked). */
  | 'gone'
  /** It would change nothing (already pinned, already suspended). */
  | 'unchanged'
  /** A name or address someone already has. */
  | 'taken'
  /** The state does not allow it now (changed since it was opened, a suspended member). */
  | 'conflict'
  /** Too many attempts: wait `retryAfterSeconds`. */
  | 'rate-limited';

export interface Refusal {
  ok: false;
  reason: RefusalReason;
  message: string;
  /** The form field the message belongs beside; without it, the message is about the whole form. */
  field?: string;
  /** For 'rate-limited': how long to wait. */
  retryAfterSeconds?: number;
}

export type Result<T extends object = object> = ({ ok: true } & T) | Refusal;

export function refuse(reason: RefusalReason, message: string, field?: string): Refusal {
  return field ? { ok: false, reason, message, field } : { ok: false, reason, message };
}

/** Too many attempts; the message says how long to wait, in minutes, unless given. */
export function rateLimited(retryAfterSeconds: number, message?: string): Refusal {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return {
    ok: false,
    reason: 'rate-limited',
    retryAfterSeconds,
    message: message ?? `Too many attempts. Wait ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} and try again.`,
  };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}
