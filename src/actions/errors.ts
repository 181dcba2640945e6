import { ActionError, type ActionAPIContext } from 'astro:actions';
import type { z } from 'zod';

/**
 * 429 with the wait in words; the page that renders the result sends Retry-After
 * (see src/lib/forms.ts `respondToActionError`).
 */
export function throttledError(context: ActionAPIContext, retryAfterSeconds: number): ActionError {
  context.locals.retryAfterSeconds = retryAfterSeconds;
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new ActionError({
    code: 'TOO_MANY_REQUESTS',
    message: `Too many attempts. Wait ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} and try again.`,
  });
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
 * nothing about the form): validates it with zod, one message per bad field.
 */
export function parseForm<S extends z.ZodType>(schema: S, form: FormData): z.infer<S> {
  const values: Record<string, string> = {};
  for (const [key, value] of form) if (typeof value === 'string' && !(key in values)) values[key] = value;
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
