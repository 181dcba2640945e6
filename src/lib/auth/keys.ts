import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

const KEY_FILE = 'data/totp-encryption.key';
let cached: Buffer | undefined;

/**
 * The key that seals TOTP secrets: TOTP_ENCRYPTION_KEY (32 bytes, base64). Outside
 * production a key is made once and kept in data/ beside the database, so a newcomer's
 * `npm start` needs no setup; production must set the variable.
 */
export function totpEncryptionKey(env: Record<string, string | undefined> = process.env): Buffer {
  if (cached) return cached;
  const configured = env.TOTP_ENCRYPTION_KEY;
  if (configured) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32) throw new Error('Configuration error: TOTP_ENCRYPTION_KEY must be 32 bytes, base64-encoded');
    return (cached = key);
  }
  if (env.NODE_ENV === 'production') throw new Error('Configuration error: TOTP_ENCRYPTION_KEY is required in production');
  if (!existsSync(KEY_FILE)) {
    mkdirSync(dirname(KEY_FILE), { recursive: true });
    writeFileSync(KEY_FILE, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return (cached = Buffer.from(readFileSync(KEY_FILE, 'utf8').trim(), 'base64'));
}
