/**
 * The kinds of message, what each carries, and whether members choose how often they get
 * it. The payload schemas are checked when a message is queued (a bug is caught where it
 * is made) and again when it is built (a row from an older version cannot crash the worker).
 *
 * - Account security messages (`always`) are sent at once to every active member they
 *   concern: they are how someone learns another person is in their account.
 * - `new-sign-in` can be turned off, not delayed.
 * - Forum and moderation messages can be sent at once, in a daily or weekly digest, or not at all.
 */
import { z } from 'zod';
import type { MailCadence, MailKind } from '#db/schema.ts';

const id = z.number().int().positive();
/** A link's token, sealed (./tokens.ts); removed from the row once the message is done. */
const sealedToken = z.string().min(1).max(500).optional();

export const payloadSchemas = {
  invitation: z.object({ invitationId: id, token: sealedToken }),
  'password-reset': z.object({ resetId: id, token: sealedToken, requestedBy: z.enum(['member', 'administrator']) }),
  'password-changed': z.object({ how: z.enum(['changed', 'reset']) }),
  'authenticator-changed': z.object({ how: z.enum(['replaced', 'reset-by-administrator']) }),
  'passkeys-changed': z.object({ how: z.enum(['added', 'removed']), name: z.string().max(100) }),
  'recovery-code-used': z.object({ remaining: z.number().int().min(0) }),
  'recovery-codes-renewed': z.object({}),
  'new-sign-in': z.object({ browser: z.string().max(100), ip: z.string().max(100).nullable(), at: z.number().int() }),
  mention: z.object({ postId: id }),
  reply: z.object({ postId: id }),
  quote: z.object({ postId: id }),
  'watched-thread-reply': z.object({ postId: id }),
  'watched-category-thread': z.object({ postId: id }),
  'report-decision': z.object({ reportId: id, resolution: z.enum(['resolved', 'dismissed']) }),
  'post-hidden': z.object({ postId: id.optional(), threadId: id.optional(), reason: z.string().max(500) }),
  digest: z.object({ cadence: z.enum(['daily', 'weekly']), slot: z.number().int() }),
} satisfies Record<MailKind, z.ZodType>;

export type Payload<K extends MailKind> = z.infer<(typeof payloadSchemas)[K]>;

type Choice = 'always' | 'on-off' | 'any';

interface KindInfo {
  /** What the member's settings page calls it. */
  label: string;
  /** For choosable kinds: what "Stop emails about …" stops. */
  topic?: string;
  /** Who chooses: nobody (always sent), on or off, or any cadence. */
  choice: Choice;
  defaultCadence: MailCadence;
  /** Sent to an address, not a member (the person is not a member yet). */
  toAddress?: boolean;
}

export const kindInfo: Record<MailKind, KindInfo> = {
  invitation: { label: 'Invitation to join', choice: 'always', defaultCadence: 'immediately', toAddress: true },
  'password-reset': { label: 'Password reset link', choice: 'always', defaultCadence: 'immediately' },
  'password-changed': { label: 'Your password was changed', choice: 'always', defaultCadence: 'immediately' },
  'authenticator-changed': { label: 'Your authenticator app was changed or reset', choice: 'always', defaultCadence: 'immediately' },
  'passkeys-changed': { label: 'A passkey was added or removed', choice: 'always', defaultCadence: 'immediately' },
  'recovery-code-used': { label: 'A recovery code was used', choice: 'always', defaultCadence: 'immediately' },
  'recovery-codes-renewed': { label: 'New recovery codes were made', choice: 'always', defaultCadence: 'immediately' },
  'new-sign-in': { label: 'A sign-in from a browser not seen before', topic: 'sign-ins from new browsers', choice: 'on-off', defaultCadence: 'immediately' },
  mention: { label: 'Someone mentions you', topic: 'mentions of you', choice: 'any', defaultCadence: 'immediately' },
  reply: { label: 'Someone replies to your post', topic: 'replies to your posts', choice: 'any', defaultCadence: 'immediately' },
  quote: { label: 'Someone quotes your post', topic: 'quotes of your posts', choice: 'any', defaultCadence: 'immediately' },
  'watched-thread-reply': { label: 'New replies in threads you watch', topic: 'new replies in threads you watch', choice: 'any', defaultCadence: 'daily' },
  'watched-category-thread': { label: 'New threads in categories you watch', topic: 'new threads in categories you watch', choice: 'any', defaultCadence: 'daily' },
  'report-decision': { label: 'A moderator’s decision on your report', topic: 'moderators’ decisions on your reports', choice: 'any', defaultCadence: 'immediately' },
  'post-hidden': { label: 'A moderator hid your post', topic: 'moderators hiding your posts', choice: 'any', defaultCadence: 'immediately' },
  digest: { label: 'Digest', choice: 'always', defaultCadence: 'immediately' },
};

/** The kinds a member can choose for, in the order the settings page shows them. */
export const choosableKinds = (Object.keys(kindInfo) as MailKind[]).filter((kind) => kindInfo[kind].choice !== 'always');

/** The cadences a member may pick for a kind. */
export function cadencesFor(kind: MailKind): readonly MailCadence[] {
  const { choice } = kindInfo[kind];
  return choice === 'any' ? (['immediately', 'daily', 'weekly', 'never'] as const) : choice === 'on-off' ? (['immediately', 'never'] as const) : (['immediately'] as const);
}

/** Forum kinds: their mail names a thread and a poster, and may carry the post's text. */
export const forumKinds = ['mention', 'reply', 'quote', 'watched-thread-reply', 'watched-category-thread'] as const satisfies readonly MailKind[];
export type ForumMailKind = (typeof forumKinds)[number];
export function isForumKind(kind: MailKind): kind is ForumMailKind {
  return (forumKinds as readonly MailKind[]).includes(kind);
}
