/** `npm run db:migrate`: applies db/migrations to DATABASE_URL (npm start does this too). */
import { migrateDatabase, openDatabase } from '#lib/db.ts';

try {
  const db = await openDatabase();
  const { wasEmpty } = await migrateDatabase(db);
  console.log(wasEmpty ? 'Created the database schema.' : 'The database schema is up to date.');
  db.$client.close();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
