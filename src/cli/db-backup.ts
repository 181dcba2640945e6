/**
 * `npm run db:backup [-- path]`: a consistent copy of the embedded database, made while
 * the portal runs. Default: data/backups/portal-<UTC time>.db. Restore: docs/operations.md, "Backups and restore".
 */
import { existsSync } from 'node:fs';
import { config } from '#lib/config.ts';
import { backupDatabase, openDatabase } from '#lib/db.ts';

try {
  if (!config().DATABASE_URL.startsWith('file:')) {
    throw new Error('db:backup copies an embedded (file:) database; back up a libSQL server with its own tools.');
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z');
  const target = process.argv[2] ?? `data/backups/portal-${stamp}.db`;
  if (existsSync(target)) throw new Error(`${target} exists already; choose another path.`);
  const db = await openDatabase();
  await backupDatabase(db, target);
  db.$client.close();
  console.log(`Backed up to ${target}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
