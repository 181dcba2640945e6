import { ActionError, type ActionAPIContext } from 'astro:actions';

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
