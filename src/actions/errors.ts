/**
 * How a refusal reaches the person: every action group turns a lib refusal
 * (src/lib/result.ts) into an ActionError here, so a reason has one HTTP status
 * everywhere. The page that rendered the form reads it back with formState()
 * (src/lib/forms.ts), which sets the status and Retry-After and puts the message by its
 * field or at the top of the form.
 */
import { ActionError, type ActionAPIContext, type ActionErrorCode } from 'astro:actions';
import type { z } from 'zod';
import type { Refusal, RefusalReason } from '#lib/result.ts';

/** One status per reason. */
export const statusOf: Record<RefusalReason, ActionErrorCode> = {
  invalid: 'BAD_REQUEST', // 400
  safeguarding: 'BAD_REQUEST', // 400
  unauthenticated: 'UNAUTHORIZED', // 401
  forbidden: 'FORBIDDEN', // 403
  self: 'FORBIDDEN', // 403
  locked: 'FORBIDDEN', // 403
  // 404 also for what exists but is not theirs to see: the answer must not tell the two apart.
  'not-found': 'NOT_FOUND',
  gone: 'GONE', // 410
  unchanged: 'CONFLICT', // 409
  taken: 'CONFLICT', // 409
  conflict: 'CONFLICT', // 409
  'rate-limited': 'TOO_MANY_REQUESTS', // 429, with Retry-After
};

/**
 * The error an action throws for a refusal: beside its field when it names one (a 400
 * that keeps the form's text), else with the status its reason has.
 */
export function refusalError(context: Pick<ActionAPIContext, 'locals'>, refusal: Refusal): ActionError {
  if (refusal.retryAfterSeconds) context.locals.retryAfterSeconds = refusal.retryAfterSeconds;
  if (refusal.field) return fieldError(refusal.field, refusal.message);
  return new ActionError({ code: statusOf[refusal.reason], message: refusal.message });
}

interface Issue {
  code: 'custom';
  path: string[];
  message: string;
}

/**
 * Messages for fields that only a handler can check (a wrong current password, a name
 * already taken), shown beside their fields like zod's. Astro exports no way to build its
 * ActionInputError, so this serialises the same way (type 'AstroActionInputError' +
 * issues): the page's isInputError() sees it and formState() puts each message by its
 * field. The e2e tests cover it (wrong current password, organisation name clash).
 */
export class FieldErrors extends ActionError {
  override type = 'AstroActionInputError';
  issues: Issue[];
  fields: Record<string, string[]>;
  constructor(issues: Issue[]) {
    super({ code: 'BAD_REQUEST', message: issues.map((i) => i.message).join(' ') });
    this.issues = issues;
    this.fields = {};
    for (const issue of issues) (this.fields[issue.path[0]!] ??= []).push(issue.message);
  }
}

/** One field's message, as FieldErrors. */
export function fieldError(field: string, message: string): FieldErrors {
  return new FieldErrors([{ code: 'custom', path: [field], message }]);
}

/**
 * For actions that check permission before reading the form (so a refused visitor learns
 * nothing about the form): validates it with zod, one message per bad field. A field
 * sent once is read as a string (its first value); a field named in `lists` (a group of
 * checkboxes) as every value sent.
 */
export function parseForm<S extends z.ZodType>(schema: S, form: FormData, lists: readonly string[] = []): z.infer<S> {
  const values: Record<string, string | string[]> = {};
  for (const [key, value] of form) if (typeof value === 'string' && !(key in values) && !lists.includes(key)) values[key] = value;
  for (const key of lists) values[key] = form.getAll(key).filter((v): v is string => typeof v === 'string');
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const seen = new Set<string>();
  const issues: Issue[] = [];
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (seen.has(field)) continue;
    seen.add(field);
    issues.push({ code: 'custom', path: [field], message: issue.message });
  }
  throw new FieldErrors(issues);
}
