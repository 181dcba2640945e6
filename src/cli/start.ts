/**
 * `npm start`: migrate the database, seed demo data into a new one (never in
 * production), build when needed, then serve the portal (the last published build, if
 * any: src/server/portal.ts) with the libraries' production builds (unless NODE_ENV
 * names another mode), start publishing, the nightly rebuild (unless
 * NIGHTLY_REBUILD=off) and the mail worker (unless MAIL_WORKER=off), and say where and
 * how to sign in. With WEB_CONCURRENCY=N, N processes serve (src/server/cluster.ts): this
 * one prepares, then forks them. Settings come from the environment (src/lib/config.ts;
 * docs/operations.md lists them); a bad one stops start-up with one line.
 */
import cluster from 'node:cluster';
import net from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseLiveBuild, servePortal, type PortalOptions, type ServeRole } from '#server/portal.ts';
import { announceLive, followerPublisher, leadPublishing, leaveRotation, receiveRole, reportListening, runPrimary } from '#server/cluster.ts';
import { config, useProductionLibraries } from '#lib/config.ts';
import { drainWrites, getDb, migrateDatabase, type Database } from '#lib/db.ts';
import { totpEncryptionKey } from '#lib/auth/keys.ts';
import { mailConfig } from '#lib/mail/config.ts';
import { startMailWorker } from '#lib/mail/worker.ts';
import { eq } from 'drizzle-orm';
import { users } from '#db/schema.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, demoMembers, seedDemoData } from '#demo/seed.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
process.chdir(root);

/**
 * Serves in this process. The leader (the only process, or the first of several) also
 * publishes, rebuilds nightly and sends mail. A graceful stop (SIGTERM from a service
 * manager, Ctrl+C): accept no new connection, let the requests in flight finish (up to
 * 10 s, then their connections are cut), stop the nightly rebuild and the mail worker,
 * wait for queued writes, close the database.
 */
async function serveHere(db: Database, options: PortalOptions, role: ServeRole & { leader: boolean }) {
  const mail = mailConfig();
  const portal = await servePortal({ ...options, nightly: options.nightly && role.leader }, role);
  const worker = role.leader && mail.worker ? startMailWorker(db, mail) : null;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Stop accepting with net.Server's close, not http.Server's: that one also drops every
      // idle connection at once, and a connection accepted a moment ago is idle until its
      // request arrives, so its request would fail. Idle ones are closed a second later.
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(portal.server, () => resolve()));
      const idle = setInterval(() => portal.server.closeIdleConnections(), 1000);
      const cut = setTimeout(() => portal.server.closeAllConnections(), 10_000);
      await leaveRotation();
      portal.stop();
      await worker?.stop();
      await closed;
      clearInterval(idle);
      clearTimeout(cut);
      await drainWrites(db);
      db.$client.close();
      process.exit(0);
    })());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { url: portal.url.href, publisher: portal.publisher };
}

try {
  const settings = config(); // a bad setting stops here, with one line
  const { HOST, PORT, SITE_URL, TRUSTED_PROXIES, production, CONTENT_DIR, BUILD_OUT_DIR, BUILD_CACHE_DIR, BUILDS_DIR, NIGHTLY_REBUILD, WEB_CONCURRENCY } = settings;
  // Production builds of React and the other libraries, whatever the portal's mode (decision 032):
  // set before any build that loads them is imported, and inherited by the processes forked below.
  useProductionLibraries();
  const mail = mailConfig(); // and so does production without a mail server
  totpEncryptionKey(); // fail now, not at the first sign-in, if the key is missing
  // The process's one handle (and write queue): the builds it serves and the mail worker share it (src/lib/db.ts).
  const db = await getDb();
  const options: PortalOptions = {
    root,
    db,
    host: HOST,
    port: PORT,
    publicOrigin: new URL(SITE_URL),
    contentDir: resolve(CONTENT_DIR),
    buildsDir: resolve(BUILDS_DIR),
    firstBuild: { outDir: BUILD_OUT_DIR, contentDir: CONTENT_DIR, cacheDir: BUILD_CACHE_DIR },
    nightly: NIGHTLY_REBUILD === 'on',
    trustedProxies: TRUSTED_PROXIES,
  };

  if (cluster.isWorker) {
    const role = await receiveRole();
    const { url, publisher } = await serveHere(db, options, {
      leader: role.leader,
      startedWith: role.startedWith,
      ...(role.leader ? { announce: announceLive } : { follower: followerPublisher(options.buildsDir) }),
    });
    if (role.leader) leadPublishing(publisher);
    reportListening(url);
  } else {
    const { wasEmpty } = await migrateDatabase(db);
    if (wasEmpty && !production) await seedDemoData(db);
    const demo = !production && (await db.select({ id: users.id }).from(users).where(eq(users.isDemo, true)).limit(1).get());
    let url: string;
    if (WEB_CONCURRENCY === 1) {
      url = (await serveHere(db, options, { leader: true })).url;
    } else {
      const startedWith = chooseLiveBuild(options);
      db.$client.close(); // the processes open their own
      url = await runPrimary(WEB_CONCURRENCY, startedWith);
    }
    console.log(`\nThe portal is running at ${url}${WEB_CONCURRENCY > 1 ? ` (${WEB_CONCURRENCY} server processes)` : ''}`);
    console.log(
      !mail.worker
        ? 'Mail: the server does not send (MAIL_WORKER=off); run `npm run mail:send` from cron.'
        : mail.mode === 'smtp'
          ? 'Mail: sending through SMTP_URL.'
          : 'Mail: no SMTP_URL, so messages are kept for administrators to read at /admin/outbox.',
    );
    if (demo) {
      console.log(`\nDemo sign-in (demo data only, never in production): ${new URL('/login', url)}`);
      for (const m of demoMembers) console.log(`  ${m.role.padEnd(9)} ${m.email}`);
      console.log(`  password: ${DEMO_PASSWORD}`);
      console.log(`  security code: add the key ${DEMO_TOTP_SECRET} to an authenticator app, or run \`npm run admin -- demo-code\``);
    }
    console.log('\nPress Ctrl+C to stop.\n');
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
