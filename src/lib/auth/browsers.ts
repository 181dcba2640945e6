/**
 * "A new sign-in from a browser not seen before": each browser a member signs in from
 * carries a long-lived random cookie; the database keeps its hash per member. A completed
 * sign-in from a browser whose cookie is not among the member's known ones emails them
 * (unless they turned that off), in the transaction that records the browser.
 *
 * The first browser a member is known by (where they set up their authenticator app, or
 * their first sign-in after this was introduced) is recorded silently: there is nothing
 * yet to compare it with. The cookie identifies a browser to us only; it is not a sign-in.
 */
import { and, eq } from 'drizzle-orm';
import type { AstroCookies } from 'astro';
import { knownBrowsers } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';
import { enqueueMail } from '#lib/mail/outbox.ts';
import { describeUserAgent } from './account.ts';
import { hashToken, randomToken } from './tokens.ts';

export const BROWSER_COOKIE = '__Host-browser';
/** Browsers keep the cookie for at most 400 days; a browser not seen for that long is new again. */
export const BROWSER_COOKIE_MAX_AGE_S = 400 * 24 * 60 * 60;

export interface SignInOrigin {
  ip: string | null;
  userAgent: string | null;
}

/**
 * Records that the member signed in from this browser; returns the cookie value to (re)set.
 * `alert` false records without telling (the browser where they set up their account).
 */
export async function recogniseBrowser(
  db: Database,
  userId: number,
  cookie: string | undefined,
  origin: SignInOrigin,
  options: { alert: boolean; now?: Date } = { alert: true },
): Promise<{ token: string; isNew: boolean }> {
  const now = options.now ?? new Date();
  const token = cookie && /^[a-z2-7]{52}$/.test(cookie) ? cookie : randomToken(32);
  const tokenHash = hashToken(token);
  const isNew = await write(db, async (tx) => {
    const seen = await tx
      .update(knownBrowsers)
      .set({ lastSeenAt: now })
      .where(and(eq(knownBrowsers.userId, userId), eq(knownBrowsers.tokenHash, tokenHash)));
    if (seen.rowsAffected === 1) return false;
    const anyKnown = await tx.select({ userId: knownBrowsers.userId }).from(knownBrowsers).where(eq(knownBrowsers.userId, userId)).limit(1).get();
    await tx.insert(knownBrowsers).values({ userId, tokenHash, firstSeenAt: now, lastSeenAt: now });
    if (anyKnown && options.alert) {
      await enqueueMail(tx, { kind: 'new-sign-in', userId, data: { browser: describeUserAgent(origin.userAgent), ip: origin.ip, at: now.getTime() } }, now);
    }
    return true;
  });
  return { token, isNew };
}

/** HttpOnly, Secure, __Host-: the same protections as the session cookie (see sessions.ts). */
export function setBrowserCookie(cookies: AstroCookies, token: string): void {
  cookies.set(BROWSER_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'lax', path: '/', maxAge: BROWSER_COOKIE_MAX_AGE_S });
}
