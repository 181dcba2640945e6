import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { z } from 'zod';
import * as schema from '#db/schema.ts';

export type Database = LibSQLDatabase<typeof schema> & { $client: Client };
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Anything that can run a query: the database or an open transaction. */
export type Queryable = Database | Transaction;

const databaseConfigSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^(file:|libsql:|https?:|wss?:|:memory:$)/, 'must start with file:, libsql:, http(s): or ws(s):')
    .default('file:data/portal.db'),
  DATABASE_AUTH_TOKEN: z.string().min(1).optional(),
  DATABASE_SYNC_URL: z.url({ protocol: /^(libsql|https?|wss?)$/ }).optional(),
});

/** How long a connection waits for another writer (another process) before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/** Validates the database settings; a bad one stops start-up with one line naming it. */
export function databaseConfig(env: Record<string, string | undefined>) {
  const parsed = databaseConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Configuration error: ${String(issue.path[0])} ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Opens the database: embedded file, libSQL server or embedded replica, chosen by the
 * URL. File databases get their folder created, WAL journaling (persisted in the file)
 * and a busy timeout on every pooled connection; foreign keys are on by default in libSQL.
 */
export async function openDatabase(env: Record<string, string | undefined> = process.env): Promise<Database> {
  const config = databaseConfig(env);
  const isFile = config.DATABASE_URL.startsWith('file:');
  if (isFile) mkdirSync(dirname(resolve(config.DATABASE_URL.slice('file:'.length))), { recursive: true });
  const client = createClient({
    url: config.DATABASE_URL,
    authToken: config.DATABASE_AUTH_TOKEN,
    syncUrl: config.DATABASE_SYNC_URL,
    timeout: BUSY_TIMEOUT_MS,
  });
  if (config.DATABASE_SYNC_URL) await client.sync();
  if (isFile) await client.execute('PRAGMA journal_mode = WAL');
  return drizzle(client, { schema });
}

export const migrationsFolder = resolve(import.meta.dirname, '../../db/migrations');

/** Applies the committed drizzle-kit migrations; returns whether the database was new. */
export async function migrateDatabase(db: Database): Promise<{ wasEmpty: boolean }> {
  const before = await db.$client.execute("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'users'");
  const wasEmpty = Number(before.rows[0]!.n) === 0;
  await migrate(db, { migrationsFolder });
  return { wasEmpty };
}

const writeQueues = new WeakMap<Database, Promise<unknown>>();

/**
 * Runs `work` in a write transaction, one at a time per database in this process.
 * libSQL's embedded engine lets only one writer in; overlapping write transactions
 * would fail with SQLITE_BUSY (see ../shared/FINDINGS.md), so every write waits its
 * turn here. IMMEDIATE takes the write lock at BEGIN, so another process makes us
 * wait (busy timeout) instead of failing mid-transaction.
 */
export function write<T>(db: Database, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const previous = writeQueues.get(db) ?? Promise.resolve();
  const run = previous.then(() => db.transaction(work, { behavior: 'immediate' }));
  writeQueues.set(db, run.catch(() => undefined));
  return run;
}

/**
 * A consistent copy of a file database while it is in use: SQLite's VACUUM INTO reads
 * one snapshot, so writers carry on and the copy is a complete, compacted database.
 */
export async function backupDatabase(db: Database, targetPath: string): Promise<void> {
  mkdirSync(dirname(resolve(targetPath)), { recursive: true });
  await db.$client.execute({ sql: 'VACUUM INTO ?', args: [resolve(targetPath)] });
}

let shared: Promise<Database> | undefined;

/** The server's one database handle, opened on first use from the environment. */
export function getDb(): Promise<Database> {
  shared ??= openDatabase(process.env);
  return shared;
}
