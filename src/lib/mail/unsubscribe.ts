/**
 * One-click unsubscribe (RFC 8058). Mail members may choose not to get carries
 * `List-Unsubscribe: <https://…/unsubscribe/<token>>` and
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`: the mail program POSTs to that
 * address and the member's choice for that kind becomes "never", with no sign-in. The
 * token is signed (./tokens.ts), so it can change only what it names, for whom it names.
 * The same address opened in a browser shows a page with one button doing the same.
 */
import type { MailCadence, MailKind } from '#db/schema.ts';
import { auditIn } from '#lib/auth/audit.ts';
import { findUserById } from '#lib/auth/users.ts';
import { write, type Database, type Queryable } from '#lib/db.ts';
import { choosableKinds, kindInfo } from './kinds.ts';
import { getMailSettings, setCadencesIn } from './settings.ts';
import { verifyUnsubscribeToken } from './tokens.ts';

export interface UnsubscribeTarget {
  userId: number;
  scope: string;
  /** What stops, in words: "emails about mentions of you", "the daily digest". */
  what: string;
  /** The kinds it sets to never. */
  kinds: MailKind[];
}

/** What a token would stop, or null when it is not a valid token for a member who exists. */
export async function unsubscribeTarget(db: Queryable, token: string): Promise<UnsubscribeTarget | null> {
  const verified = verifyUnsubscribeToken(token);
  if (!verified || !(await findUserById(db, verified.userId))) return null;
  const { userId, scope } = verified;
  const digest = /^digest-(daily|weekly)$/.exec(scope)?.[1] as 'daily' | 'weekly' | undefined;
  if (digest) {
    const { cadences } = await getMailSettings(db, userId);
    return { userId, scope, what: `the ${digest} digest`, kinds: choosableKinds.filter((kind) => cadences[kind] === digest) };
  }
  const kind = choosableKinds.find((k) => k === scope);
  if (!kind) return null;
  return { userId, scope, what: `emails about ${kindInfo[kind].topic}`, kinds: [kind] };
}

/** Sets what the token names to never and audits it; null for a token that is not valid. */
export async function unsubscribe(db: Database, token: string, ip: string | null = null, now = new Date()): Promise<UnsubscribeTarget | null> {
  const target = await unsubscribeTarget(db, token);
  if (!target) return null;
  const never = Object.fromEntries(target.kinds.map((kind) => [kind, 'never' as MailCadence]));
  await write(db, async (tx) => {
    await setCadencesIn(tx, target.userId, never);
    await auditIn(tx, { actorId: target.userId, action: 'mail-unsubscribe', outcome: 'success', targetType: 'user', targetId: target.userId, ip, detail: { scope: target.scope, kinds: target.kinds, via: 'email link' } }, now);
  });
  return target;
}
