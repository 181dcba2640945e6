/**
 * The mail settings (SMTP_URL, MAIL_FROM, MAIL_WORKER in src/lib/config.ts) as the mail
 * code uses them. Without SMTP_URL outside production, mail is kept in the outbox for
 * administrators to read at /admin/outbox, so a demo works end to end; in production
 * SMTP_URL and MAIL_FROM are required, and `npm start` stops with one line without them.
 */
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';
import { config, type Config } from '#lib/config.ts';
import { siteName } from '#lib/site.ts';
import { headerText } from './headers.ts';

export interface MailAddress {
  name: string;
  address: string;
}

export interface MailConfig {
  /** 'smtp' sends through SMTP_URL; 'keep' keeps each message for /admin/outbox (never in production). */
  mode: 'smtp' | 'keep';
  /** Includes the password, if any: never log it. */
  smtpUrl: string | null;
  from: MailAddress;
  /** Where links in messages point (SITE_URL). */
  siteOrigin: URL;
  /** Whether the server process runs the sending worker. */
  worker: boolean;
}

export type MailSettings = Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'MAIL_WORKER' | 'SITE_URL' | 'production'>;

function configError(variable: string, message: string): Error {
  return new Error(`Configuration error: ${variable} ${message}`);
}

/** One address, with an optional display name; anything else is refused. */
export function parseMailFrom(value: string): MailAddress | null {
  if (/[\r\n\u2028\u2029]/.test(value)) return null;
  const parsed = addressparser(value, { flatten: true });
  if (parsed.length !== 1) return null;
  const { name, address } = parsed[0]!;
  if (!z.email().safeParse(address).success) return null;
  return { name: headerText(name ?? ''), address };
}

export function mailConfig(settings: MailSettings = config()): MailConfig {
  const { SMTP_URL, MAIL_FROM, MAIL_WORKER, SITE_URL, production } = settings;
  if (production && !SMTP_URL) {
    throw configError('SMTP_URL', 'is required in production: the mail relay to send through, like smtp://user:password@relay.example.org:587');
  }
  if (production && !MAIL_FROM) {
    throw configError('MAIL_FROM', 'is required in production: the address mail comes from, like "National Modern Slavery Network" <portal@example.org>');
  }
  const siteOrigin = new URL(SITE_URL);
  const from = MAIL_FROM ? parseMailFrom(MAIL_FROM) : { name: siteName, address: `no-reply@${siteOrigin.hostname}` };
  if (!from) throw configError('MAIL_FROM', 'must be one email address, optionally with a name: "Name" <address@example.org>');
  return { mode: SMTP_URL ? 'smtp' : 'keep', smtpUrl: SMTP_URL ?? null, from, siteOrigin, worker: MAIL_WORKER === 'on' };
}
