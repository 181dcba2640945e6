/** `npm run db:purge`: the retention job (expired sessions, spent links, old audit rows). Run daily. */
import { migrateDatabase, openDatabase } from '#lib/db.ts';
import { purgeExpired } from '#lib/auth/retention.ts';

try {
  const db = await openDatabase();
  await migrateDatabase(db);
  const removed = await purgeExpired(db);
  console.log(`Removed: ${Object.entries(removed).map(([what, n]) => `${n} ${what}`).join(', ')}.`);
  db.$client.close();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
