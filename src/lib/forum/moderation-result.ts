/**
 * What ThreadModeration and PostModeration show after one of their forms was sent: the
 * success message, or the error (a message per field, or one for the form), and the
 * reason typed, to put back. They sit inside the thread page, which has its own form, so
 * they read the result themselves rather than through the page's formState().
 */
import type { AstroGlobal } from 'astro';
import { isInputError, type SafeResult } from 'astro:actions';

export interface ModerationFormResult {
  message: string | null;
  formError: string | null;
  fieldErrors: Record<string, string>;
  /** The form as sent, when it came back with a problem. */
  sent: Record<string, string>;
}

export async function moderationResult(Astro: AstroGlobal, results: (SafeResult<any, { message: string }> | undefined)[]): Promise<ModerationFormResult> {
  const result = results.find(Boolean);
  const outcome: ModerationFormResult = { message: result?.data?.message ?? null, formError: null, fieldErrors: {}, sent: {} };
  const error = result?.error;
  if (!error) return outcome;
  if (isInputError(error)) {
    for (const [field, messages] of Object.entries(error.fields)) if (messages?.[0]) outcome.fieldErrors[field] = messages[0];
  } else {
    outcome.formError = error.message;
  }
  try {
    for (const [key, value] of await Astro.request.clone().formData()) if (typeof value === 'string') outcome.sent[key] = value;
  } catch {
    // Not a form post: nothing to put back.
  }
  return outcome;
}
