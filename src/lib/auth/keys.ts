import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { config, type Config } from '#lib/config.ts';

const KEY_FILE = 'data/totp-encryption.key';
let cached: Buffer | undefined;

/**
 * The key that seals TOTP secrets: TOTP_ENCRYPTION_KEY (32 bytes, base64). Outside
 * production a key is made once and kept in data/ beside the database, so a newcomer's
 * `npm start` needs no setup; production must set the variable.
 */
export function totpEncryptionKey(settings: Pick<Config, 'TOTP_ENCRYPTION_KEY' | 'production'> = config()): Buffer {
  if (cached) return cached;
  // Its length is checked with the other settings (src/lib/config.ts).
  if (settings.TOTP_ENCRYPTION_KEY) return (cached = Buffer.from(settings.TOTP_ENCRYPTION_KEY, 'base64'));
  if (settings.production) throw new Error('Configuration error: TOTP_ENCRYPTION_KEY is required in production');
  if (!existsSync(KEY_FILE)) {
    mkdirSync(dirname(KEY_FILE), { recursive: true });
    writeFileSync(KEY_FILE, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return (cached = Buffer.from(readFileSync(KEY_FILE, 'utf8').trim(), 'base64'));
}
