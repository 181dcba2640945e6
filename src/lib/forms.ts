/**
 * What a page shows after one of its forms was sent to an Action: a message per field or
 * one for the whole form, and what the person typed, to put back. Actions throw their
 * refusals (src/actions/errors.ts); these read them on the page that rendered the form.
 */
import type { AstroGlobal } from 'astro';
import { isInputError, type ActionError, type SafeResult } from 'astro:actions';

export interface FormState {
  /** First message for each field that failed validation. */
  fieldErrors: Record<string, string>;
  /** A message about the whole form (wrong password, throttled, refused…). */
  formError: string | null;
  /** What the person typed, to put back in the form (never passwords). */
  values: Record<string, string>;
}

/** Whether the form has anything to report (what ErrorSummary.astro shows). */
export function hasErrors(state: FormState): boolean {
  return Boolean(state.formError) || Object.keys(state.fieldErrors).length > 0;
}

const NEVER_ECHO = /password|code|token/i;

/** A refused action's messages: the first per field, or one for the form. */
function messagesOf(error: ActionError | undefined): Pick<FormState, 'fieldErrors' | 'formError'> {
  const messages: Pick<FormState, 'fieldErrors' | 'formError'> = { fieldErrors: {}, formError: null };
  if (!error) return messages;
  if (isInputError(error)) {
    for (const [field, list] of Object.entries(error.fields)) if (list?.[0]) messages.fieldErrors[field] = list[0];
  } else {
    messages.formError = error.message;
  }
  return messages;
}

/** The text fields of the form this request sent, to put back (never passwords, codes or tokens). */
async function sentValues(Astro: AstroGlobal): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  try {
    for (const [key, value] of await Astro.request.clone().formData()) {
      if (typeof value === 'string' && !NEVER_ECHO.test(key)) values[key] = value;
    }
  } catch {
    // The body was not a form: nothing to put back.
  }
  return values;
}

/**
 * Turns an action result into what a form page shows, and sets the HTTP status the
 * error deserves (400, 401, 403, 429 with Retry-After…). Call once per page render.
 */
export async function formState(Astro: AstroGlobal, result: SafeResult<any, any> | undefined): Promise<FormState> {
  if (!result?.error) return { fieldErrors: {}, formError: null, values: {} };
  const { error } = result;
  Astro.response.status = error.status;
  if (Astro.locals.retryAfterSeconds) Astro.response.headers.set('Retry-After', String(Astro.locals.retryAfterSeconds));
  return { ...messagesOf(error), values: await sentValues(Astro) };
}

export interface ModerationFormResult {
  message: string | null;
  formError: string | null;
  fieldErrors: Record<string, string>;
  /** The form as sent, when it came back with a problem. */
  sent: Record<string, string>;
}

/**
 * What ThreadModeration and PostModeration show after one of their forms was sent: the
 * success message, or the error and the reason typed. They sit inside the thread page,
 * which has its own form and status, so they read their results here rather than
 * through formState().
 */
export async function moderationResult(Astro: AstroGlobal, results: (SafeResult<any, { message: string }> | undefined)[]): Promise<ModerationFormResult> {
  const result = results.find(Boolean);
  const error = result?.error;
  return { message: result?.data?.message ?? null, ...messagesOf(error), sent: error ? await sentValues(Astro) : {} };
}
