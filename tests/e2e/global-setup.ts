import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '#server/build.ts';
import { serve } from '#server/serve.ts';
import { migrateDatabase, openDatabase } from '#lib/db.ts';
import { seedDemoData } from '#demo/seed.ts';
import { assertChromium } from './chromium.ts';
import { e2eBuild } from './test-content.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Builds the portal with the test fixtures added (test-content.ts) if the sources
 * changed, gives it a fresh migrated database with the demo data, and serves the real
 * build on a free port. Workers start after this returns
 * and inherit the environment, so fixtures reach the same database.
 */
export default async function globalSetup() {
  assertChromium();
  ensureBuilt(root, process.env, e2eBuild);
  const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), 'nmsn-e2e-')), 'portal.db')}`;
  process.env.DATABASE_URL = databaseUrl;
  process.env.TOTP_ENCRYPTION_KEY = randomBytes(32).toString('base64');
  const db = await openDatabase({ DATABASE_URL: databaseUrl });
  await migrateDatabase(db);
  await seedDemoData(db);
  const { server, url } = await serve({ distDir: join(root, e2eBuild.outDir), host: '127.0.0.1', port: 0, publicOrigin: new URL('http://localhost:4321') });
  process.env.E2E_BASE_URL = url.origin;
  return async () => {
    await new Promise((resolve) => server.close(resolve));
    db.$client.close();
  };
}
