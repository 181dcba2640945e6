/**
 * The portal's settings: every environment variable it reads, validated with zod in this
 * one place. `config()` reads `process.env` once; a bad value stops start-up (the server,
 * the CLI, a build) with one line naming the variable. docs/operations.md lists them.
 *
 * To add a setting: one line in `configSchema` (name, type, default, a comment saying what
 * it is for), one row in docs/operations.md, then read it as `config().NAME`.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

/** A value given as an empty string counts as not given, so `FOO=` means "use the default". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** `10.0.0.5`, `10.0.0.0/8`, `::1`, `fd00::/8`, or `loopback` (127.0.0.0/8 and ::1). */
function isProxyAddress(entry: string): boolean {
  if (entry === 'loopback') return true;
  const [address, bits, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const proxyList = z
  .string()
  .transform((v) => v.split(',').map((e) => e.trim()).filter(Boolean))
  .refine((entries) => entries.every(isProxyAddress), 'must be IP addresses or CIDR ranges separated by commas (10.0.0.5, 10.0.0.0/8, ::1), or loopback');

const base64Key32 = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)');

export const configSchema = z
  .object({
    /**
     * The portal's mode. `production`: a deployment (no demo data; TOTP_ENCRYPTION_KEY,
     * SMTP_URL and MAIL_FROM required; a build needs SITE_URL and FEEDBACK_EMAIL).
     * `development`: a demo or a developer's copy. Default: `production` when NODE_ENV is.
     */
    PORTAL_ENV: optional(z.enum(['production', 'development'], { error: 'must be production or development' })),
    /**
     * What the libraries run as (React's server renderer among them). `npm start` sets
     * `production` unless given another value (decision 032); when PORTAL_ENV is not
     * set, NODE_ENV=production also makes the portal a deployment.
     */
    NODE_ENV: optional(z.string()),
    /** The interface `npm start` listens on (`0.0.0.0` behind a load balancer). */
    HOST: z.string().min(1).default('localhost'),
    /** The port `npm start` listens on. */
    PORT: z.coerce.number().int().min(0).max(65535).default(4321),
    /** The public origin: canonical URLs, sitemap, feed, links printed by the CLI; HSTS when https. Default http://localhost:<PORT>. */
    SITE_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, like https://portal.example.org' })),
    /** Where "Is this page useful?" mail goes. Default feedback@<SITE_URL host>. */
    FEEDBACK_EMAIL: optional(z.email({ error: 'must be an email address' })),
    /** `file:` (embedded database, folder created), or `libsql:` / `http(s):` / `ws(s):` for a libSQL server. */
    DATABASE_URL: z
      .string()
      .regex(/^(file:|libsql:|https?:|wss?:|:memory:$)/, 'must start with file:, libsql:, http(s): or ws(s):')
      .default('file:data/portal.db'),
    /** The token for a libSQL server. */
    DATABASE_AUTH_TOKEN: optional(z.string()),
    /** Makes DATABASE_URL (a file) an embedded replica of this libSQL server. */
    DATABASE_SYNC_URL: optional(z.url({ protocol: /^(libsql|https?|wss?)$/, error: 'must be a libsql:, http(s): or ws(s): URL' })),
    /** Seals members' TOTP keys; required in production (see src/lib/auth/keys.ts). */
    TOTP_ENCRYPTION_KEY: optional(base64Key32),
    /** The mail relay, smtp://user:password@host:587 or smtps://…:465. Required in production (see src/lib/mail/config.ts); without it, mail is kept at /admin/outbox. */
    SMTP_URL: optional(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL, like smtp://user:password@relay.example.org:587' })),
    /** The sender of every email, "Name" <address> or an address. Required in production; default "National Modern Slavery Network" <no-reply@<SITE_URL host>>. */
    MAIL_FROM: optional(z.string().max(300)),
    /** `off`: this server process does not send mail (a cron job runs `npm run mail:send`). */
    MAIL_WORKER: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
    /**
     * The reverse proxies whose X-Forwarded-For, -Proto and -Host are believed, matched on
     * the connection's address. None by default: a client's own forwarded headers are dropped.
     */
    TRUSTED_PROXIES: proxyList.default([]),
    /** How much the server logs (one JSON line per event on stdout): `info` has a line per request. */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
    /** Where the members' Pagefind bundle is, when not beside dist/server. */
    MEMBERS_INDEX_DIR: optional(z.string()),
    /** Where the members' resource files are, when not beside dist/server. */
    MEMBERS_FILES_DIR: optional(z.string()),
    /** The build's content folder, output folder and cache (build tests and benchmarks point them elsewhere). */
    CONTENT_DIR: z.string().min(1).default('./content'),
    BUILD_OUT_DIR: z.string().min(1).default('./dist'),
    BUILD_CACHE_DIR: z.string().min(1).default('./node_modules/.astro'),
    /** Where publishes build (inside the project: a build loads packages from its node_modules). */
    BUILDS_DIR: z.string().min(1).default('./builds'),
    /** `off` stops the 00:05 (UK time) rebuild that releases scheduled entries and review notices. */
    NIGHTLY_REBUILD: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
    /** How many server processes `npm start` runs on its port (src/server/cluster.ts). */
    WEB_CONCURRENCY: z.coerce.number({ error: 'must be a whole number from 1 to 32' }).int({ error: 'must be a whole number from 1 to 32' }).min(1, { error: 'must be a whole number from 1 to 32' }).max(32, { error: 'must be a whole number from 1 to 32' }).default(1),
  })
  .transform((c) => {
    const SITE_URL = c.SITE_URL ?? `http://localhost:${c.PORT}`;
    const production = portalMode(c) === 'production';
    return { ...c, SITE_URL, FEEDBACK_EMAIL: c.FEEDBACK_EMAIL ?? `feedback@${new URL(SITE_URL).hostname}`, production };
  });

export type Config = z.output<typeof configSchema>;
/** The environment as Node gives it (or a test's own variables). */
export type Environment = Record<string, string | undefined>;

/** Validates an environment; a bad value throws one line: "Configuration error: NAME what is wrong". */
export function loadConfig(env: Environment): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`Configuration error: ${String(issue.path[0])} ${issue.message}`);
}

/**
 * A production build writes SITE_URL into every canonical URL, Open Graph tag, feed and
 * sitemap, and FEEDBACK_EMAIL into every feedback link; the defaults (localhost) would
 * publish nonsense. So a build for a deployment (PORTAL_ENV=production, or NODE_ENV=production
 * without PORTAL_ENV) needs both set: the one line that stops it, or null. (Astro sets
 * NODE_ENV=production itself for every build, so this is asked of the environment the
 * operator gave, before Astro starts.)
 */
export function productionBuildProblem(env: Environment): string | null {
  if (portalMode(env) !== 'production') return null;
  if (!env.SITE_URL) return 'Configuration error: SITE_URL is required for a production build (the public address, like https://portal.example.org)';
  if (!env.FEEDBACK_EMAIL) return 'Configuration error: FEEDBACK_EMAIL is required for a production build (where "Is this page useful?" mail goes)';
  return null;
}

/** The portal's mode as the environment gives it (PORTAL_ENV, else NODE_ENV), without validating the rest. */
function portalMode(env: { PORTAL_ENV?: string; NODE_ENV?: string }): 'production' | 'development' {
  if (env.PORTAL_ENV === 'production' || env.PORTAL_ENV === 'development') return env.PORTAL_ENV;
  return env.NODE_ENV === 'production' ? 'production' : 'development';
}

/**
 * `npm start` runs the libraries' production builds unless NODE_ENV names another mode:
 * React, for one, server-renders with its development build otherwise (slower, and never
 * meant for serving). NODE_ENV alone would also make a demo a deployment, so the portal's
 * own mode is first written down as PORTAL_ENV: the builds this process loads (each reads
 * the environment with its own copy of this module) and the builds it starts keep it.
 * Call before anything loads React. Decision 032.
 */
export function useProductionLibraries(env: Environment = process.env): void {
  env.PORTAL_ENV = portalMode(env);
  if (!env.NODE_ENV) env.NODE_ENV = 'production';
}

let current: Config | undefined;

/** The process's settings, read from process.env on first use. */
export function config(): Config {
  current ??= loadConfig(process.env);
  return current;
}
