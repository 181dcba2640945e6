/**
 * Two secrets travel through the outbox:
 *
 * - The token of an invitation or reset link must wait in the outbox until the message
 *   is built, but the database keeps only hashes of tokens. So it waits sealed
 *   (AES-256-GCM), and is removed from the row once the message is sent or given up.
 * - One-click unsubscribe links carry a signed token (HMAC-SHA-256): the member's id and
 *   what to stop, so no sign-in is needed for that one change, and a changed token fails.
 *
 * Both keys are derived (HKDF) from TOTP_ENCRYPTION_KEY, so production needs no new
 * secret, and neither key can be used for the other's purpose or for TOTP secrets.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { sameHash } from '#lib/auth/tokens.ts';
import { totpEncryptionKey } from '#lib/auth/keys.ts';
import { open, seal } from '#lib/auth/secret-box.ts';

function derivedKey(purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', totpEncryptionKey(), Buffer.alloc(0), `nmsn mail ${purpose} v1`, 32));
}

export function sealLinkToken(token: string): string {
  return seal(derivedKey('link token'), new TextEncoder().encode(token)).toString('base64url');
}

/** The token, or null when the sealed value is missing or was not sealed with our key. */
export function openLinkToken(sealed: string | undefined): string | null {
  if (!sealed) return null;
  try {
    return open(derivedKey('link token'), Buffer.from(sealed, 'base64url')).toString('utf8');
  } catch {
    return null;
  }
}

/** What an unsubscribe link stops: one kind of message, or a digest. */
export interface UnsubscribeScope {
  userId: number;
  /** A choosable kind (./kinds.ts), or 'digest-daily' / 'digest-weekly'. */
  scope: string;
}

const SCOPE_SHAPE = /^[a-z][a-z-]{1,40}$/;

function signature(payload: string): Buffer {
  return createHmac('sha256', derivedKey('unsubscribe')).update(payload).digest();
}

/** `<userId>.<scope>.<signature>`: URL-safe, short enough for a List-Unsubscribe header. */
export function unsubscribeToken({ userId, scope }: UnsubscribeScope): string {
  const payload = `${userId}.${scope}`;
  return `${payload}.${signature(payload).toString('base64url')}`;
}

/** The scope a token stands for, or null for anything malformed, changed or signed with another key. */
export function verifyUnsubscribeToken(token: string): UnsubscribeScope | null {
  const match = /^([1-9]\d{0,14})\.([a-z-]{2,41})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match || !SCOPE_SHAPE.test(match[2]!)) return null;
  const expected = signature(`${match[1]}.${match[2]}`);
  if (!sameHash(expected, Buffer.from(match[3]!, 'base64url'))) return null;
  return { userId: Number(match[1]), scope: match[2]! };
}
