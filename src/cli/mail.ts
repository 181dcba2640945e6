/**
 * `npm run mail:send`: sends every message that is due now, then exits; for hosts that run
 * mail from cron (with MAIL_WORKER=off on the servers) or to flush the outbox by hand.
 * `npm run mail:digest`: makes the daily and weekly digests that are due, then sends them.
 * Both use the same leases as the server's worker, so they are safe beside it.
 * Exit codes: 0 done, 1 failed (one line on stderr), 2 wrong usage.
 */
import { fileURLToPath } from 'node:url';
import { migrateDatabase, openDatabase } from '#lib/db.ts';
import { mailConfig } from '#lib/mail/config.ts';
import { createDueDigests } from '#lib/mail/digests.ts';
import { createMailTransport } from '#lib/mail/transport.ts';
import { sendDueMail } from '#lib/mail/worker.ts';

const command = process.argv[2];
if (command !== 'send' && command !== 'digest') {
  console.error('Usage: npm run mail:send | npm run mail:digest');
  process.exit(2);
}

// Relative paths (the default database, the key file) are relative to the project.
process.chdir(fileURLToPath(new URL('../..', import.meta.url)));
try {
  const config = mailConfig();
  const db = await openDatabase();
  await migrateDatabase(db);
  if (command === 'digest') {
    const made = await createDueDigests(db);
    console.log(`${made} ${made === 1 ? 'digest' : 'digests'} made.`);
  }
  const transport = createMailTransport(config);
  const result = await sendDueMail(db, config, transport);
  transport.close();
  db.$client.close();
  const how = config.mode === 'keep' ? 'kept for /admin/outbox (no SMTP_URL)' : 'sent';
  console.log(`${result.sent + result.kept} ${how}, ${result.retrying} to try again later, ${result.failed} failed, ${result.skipped} not needed any more.`);
  if (result.failed > 0) console.log('Failed messages and the mail server’s reasons are listed at /admin/outbox.');
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
