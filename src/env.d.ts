/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The signed-in member (with their organisation's type), or null; set by src/middleware.ts on on-demand routes. */
    user: import('#lib/auth/sessions.ts').SessionUser | null;
    session: import('#db/schema.ts').Session | null;
    /** Set by a refused action (src/actions/errors.ts) so the page can send Retry-After with its 429. */
    retryAfterSeconds?: number;
    /** Set by an Action that ended the session in use, so the middleware clears the browser's storage. */
    signedOut?: boolean;
  }
}
