/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The signed-in member, or null; set by src/middleware.ts on on-demand routes. */
    user: import('#db/schema.ts').User | null;
    session: import('#db/schema.ts').Session | null;
    /** Set by a throttled action so the page can send Retry-After with its 429. */
    retryAfterSeconds?: number;
  }
}
