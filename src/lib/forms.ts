import type { AstroGlobal } from 'astro';
import { isInputError, type SafeResult } from 'astro:actions';

export interface FormState {
  /** First message for each field that failed validation. */
  fieldErrors: Record<string, string>;
  /** A message about the whole form (wrong password, throttled, refused…). */
  formError: string | null;
  /** What the person typed, to put back in the form (never passwords). */
  values: Record<string, string>;
}

const NEVER_ECHO = /password|code|token/i;

/**
 * Turns an action result into what a form page shows, and sets the HTTP status the
 * error deserves (400, 401, 403, 429 with Retry-After…). Call once per page render.
 */
export async function formState(Astro: AstroGlobal, result: SafeResult<any, any> | undefined): Promise<FormState> {
  const state: FormState = { fieldErrors: {}, formError: null, values: {} };
  if (!result?.error) return state;
  const { error } = result;
  Astro.response.status = error.status;
  if (Astro.locals.retryAfterSeconds) Astro.response.headers.set('Retry-After', String(Astro.locals.retryAfterSeconds));
  if (isInputError(error)) {
    for (const [field, messages] of Object.entries(error.fields)) {
      if (messages?.[0]) state.fieldErrors[field] = messages[0];
    }
  } else {
    state.formError = error.message;
  }
  try {
    const form = await Astro.request.clone().formData();
    for (const [key, value] of form) {
      if (typeof value === 'string' && !NEVER_ECHO.test(key)) state.values[key] = value;
    }
  } catch {
    // The body was not a form: nothing to echo back.
  }
  return state;
}
