import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '#server/build.ts';
import { servePortal } from '#server/portal.ts';
import { getDb, migrateDatabase } from '#lib/db.ts';
import { loadConfig } from '#lib/config.ts';
import { mailConfig } from '#lib/mail/config.ts';
import { startMailWorker } from '#lib/mail/worker.ts';
import { seedDemoData } from '#demo/seed.ts';
import { startSmtpSink } from '#tests/smtp-sink.ts';
import { assertChromium } from './chromium.ts';
import { e2eBuild } from './test-content.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A port nobody is listening on now, to serve on and to name in SITE_URL before the server starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Builds the portal with the test fixtures added (test-content.ts) if the sources
 * changed, gives it a fresh migrated database with the demo data, and serves the real
 * build on a free port, with the mail worker sending to a
 * real SMTP server (smtp-server) that writes what it accepts to E2E_MAIL_DIR, where tests
 * read it (fixtures.ts `waitForMail`). Workers start after this returns and inherit the
 * environment, so fixtures reach the same database and mail folder.
 */
export default async function globalSetup() {
  assertChromium();
  ensureBuilt(root, process.env, e2eBuild);
  // SITE_URL names the served port on localhost: passkeys are checked against SITE_URL's
  // origin and host name (WebAuthn refuses an IP address as the relying party), so
  // passkeys.spec.ts browses http://localhost:<port>. Links in mail point there too.
  const port = await freePort();
  process.env.SITE_URL = `http://localhost:${port}`;
  const databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), 'nmsn-e2e-')), 'portal.db')}`;
  process.env.DATABASE_URL = databaseUrl;
  process.env.TOTP_ENCRYPTION_KEY = randomBytes(32).toString('base64');
  // The suite's own server logs warnings and errors only: a JSON line per request would bury the test report.
  process.env.LOG_LEVEL ??= 'warn';
  process.env.E2E_MAIL_DIR = mkdtempSync(join(tmpdir(), 'nmsn-e2e-mail-'));
  const sink = await startSmtpSink({ folder: process.env.E2E_MAIL_DIR });
  process.env.SMTP_URL = sink.url;
  process.env.MAIL_FROM = 'National Modern Slavery Network <portal@e2e.nmsn.test>';
  // The handle the served pages use too (one write queue in this process: src/lib/db.ts),
  // opened from the settings above: nothing here has read the configuration before.
  // The server's content folder is the suite's copy: the browser editor's saves go there, never to content/.
  process.env.CONTENT_DIR = join(root, e2eBuild.contentDir!);
  const db = await getDb();
  await migrateDatabase(db);
  await seedDemoData(db);
  // Publishes build inside the project (a build loads packages from its node_modules), in a folder of this run's own.
  mkdirSync(join(root, 'node_modules/.cache/e2e'), { recursive: true });
  const buildsDir = mkdtempSync(join(root, 'node_modules/.cache/e2e/builds-'));
  const { server, url, publisher } = await servePortal({
    root,
    db,
    host: '127.0.0.1',
    port,
    publicOrigin: new URL(process.env.SITE_URL),
    contentDir: process.env.CONTENT_DIR,
    buildsDir,
    firstBuild: e2eBuild,
    nightly: false,
    // The tests stand in for a reverse proxy on 127.0.0.1: each browser context sends its own
    // X-Forwarded-For. Another loopback address (127.0.0.2) is an untrusted client (server.spec.ts).
    trustedProxies: ['127.0.0.1', '::1'],
  });
  process.env.E2E_BASE_URL = url.origin;
  const worker = startMailWorker(db, mailConfig(loadConfig(process.env)), { pollMs: 200 });
  return async () => {
    await publisher.settled();
    await new Promise((resolve) => server.close(resolve));
    await worker.stop();
    await sink.close();
    db.$client.close();
    rmSync(buildsDir, { recursive: true, force: true });
  };
}
