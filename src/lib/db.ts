import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { config, type Config } from './config.ts';
import { drizzleWithReadConnection } from './read-connection.ts';
import { cacheStatements } from './statement-cache.ts';
import * as schema from '#db/schema.ts';

export type Database = LibSQLDatabase<typeof schema> & { $client: Client };
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Anything that can run a query: the database or an open transaction. */
export type Queryable = Database | Transaction;

/**
 * How long a connection waits for another writer (another process) before SQLITE_BUSY.
 * Short on purpose: the wait is a synchronous native call that freezes the whole process,
 * and SQLite's busy handler is not fair, so a long wait is no surer to win. `write`
 * retries instead (decision 008).
 */
const BUSY_TIMEOUT_MS = 1_000;
/** How long `write` keeps retrying a write that finds the database locked by another process. */
export const WRITE_DEADLINE_MS = 30_000;
/** The longest pause between two tries (full jitter: a random pause up to this, doubling from 25 ms). */
const RETRY_PAUSE_CAP_MS = 1_000;

/** Where the database is (see src/lib/config.ts); tests give their own file. */
export type DatabaseSettings = Pick<Config, 'DATABASE_URL'> & Partial<Pick<Config, 'DATABASE_AUTH_TOKEN' | 'DATABASE_SYNC_URL'>>;

/**
 * Opens the database: embedded file, libSQL server or embedded replica, chosen by the
 * URL. File databases get their folder created, WAL journaling (persisted in the file)
 * and a busy timeout on every pooled connection; foreign keys are on by default in libSQL.
 * Local connections keep their compiled statements (statement-cache.ts), and a local
 * file's typed selects run on a read connection of their own (read-connection.ts).
 */
export async function openDatabase(settings: DatabaseSettings = config()): Promise<Database> {
  const file = settings.DATABASE_URL.startsWith('file:') ? resolve(settings.DATABASE_URL.slice('file:'.length)) : undefined;
  cacheStatements();
  if (file) mkdirSync(dirname(file), { recursive: true });
  const client = createClient({
    url: settings.DATABASE_URL,
    authToken: settings.DATABASE_AUTH_TOKEN,
    syncUrl: settings.DATABASE_SYNC_URL,
    timeout: BUSY_TIMEOUT_MS,
  });
  if (settings.DATABASE_SYNC_URL) await client.sync();
  if (!file) return drizzle(client, { schema });
  await client.execute('PRAGMA journal_mode = WAL');
  // Not for an in-memory database (another connection would be another database), an
  // embedded replica (the client keeps its sync state on its own connection), or a URL
  // whose file is not where a plain reading of it says (the client has created it by now).
  if (settings.DATABASE_SYNC_URL || /[?]|:memory:/.test(settings.DATABASE_URL) || !existsSync(file)) return drizzle(client, { schema });
  return drizzleWithReadConnection(client, file, schema, BUSY_TIMEOUT_MS);
}

export const migrationsFolder = resolve(import.meta.dirname, '../../db/migrations');

/** Applies the committed drizzle-kit migrations; returns whether the database was new. */
export async function migrateDatabase(db: Database): Promise<{ wasEmpty: boolean }> {
  const before = await db.$client.execute("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'users'");
  const wasEmpty = Number(before.rows[0]!.n) === 0;
  await migrate(db, { migrationsFolder });
  return { wasEmpty };
}

/** The newest committed migration's timestamp, read once: the files do not change while the code runs. */
let newestMigration: number | undefined;

/**
 * Whether the database has every committed migration: the newest one drizzle recorded
 * is the newest one in db/migrations. False for a database that is behind (or ahead of)
 * this code. Throws when the database cannot be reached.
 */
export async function migrationsCurrent(db: Database): Promise<boolean> {
  newestMigration ??= readMigrationFiles({ migrationsFolder }).at(-1)?.folderMillis ?? 0;
  const newest = newestMigration;
  const applied = await db.$client.execute("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'");
  if (Number(applied.rows[0]!.n) === 0) return newest === 0;
  const last = await db.$client.execute('SELECT max(created_at) AS at FROM __drizzle_migrations');
  return Number(last.rows[0]!.at ?? 0) === newest;
}

/**
 * A hot query built once per database handle: `build` returns drizzle's `.prepare()`,
 * with `sql.placeholder(…)` for the values that change. drizzle otherwise builds every
 * query anew from its parts (~150–250 µs each, measured), the largest part of a thread
 * page's time after SQLite itself. The handle is the key, so tests and benchmarks with a
 * database of their own get their own statement. Inside a transaction the query is built
 * for the transaction each time, as an unprepared query would be: a statement prepared on
 * the handle would run outside it.
 *
 * Placeholders take values as SQLite stores them: a Date must be passed as its number.
 */
export function preparedQuery<P>(build: (db: Queryable) => P): (db: Queryable) => P {
  const built = new WeakMap<Database, P>();
  return (db) => {
    if (!isDatabase(db)) return build(db);
    let query = built.get(db);
    if (query === undefined) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}

/** The handle itself (drizzle gives it its libSQL client), not an open transaction. */
function isDatabase(db: Queryable): db is Database {
  return '$client' in db;
}

/**
 * Process-wide state lives on globalThis under registered symbols: the server process
 * runs this module twice, once from src/ (start-up, the mail worker) and once bundled
 * into the build's handler. Both copies must share one database handle and one write
 * queue, or the two would be two writers in one event loop, and a busy wait in one
 * (it is synchronous: docs/decisions/008-one-write-queue.md) would stall the other.
 */
const processWide = globalThis as typeof globalThis & Record<symbol, unknown>;
const WRITE_QUEUES = Symbol.for('nmsn.db.writeQueues');
const SHARED_DB = Symbol.for('nmsn.db.shared');

const writeQueues = (processWide[WRITE_QUEUES] ??= new WeakMap<Database, Promise<unknown>>()) as WeakMap<Database, Promise<unknown>>;

/**
 * Runs `work` in a write transaction, one at a time per database in this process.
 * libSQL's embedded engine lets only one writer in; overlapping write transactions
 * would fail with SQLITE_BUSY (measured: decision 008), so every write waits its
 * turn here. IMMEDIATE takes the write lock at BEGIN, so another process makes us
 * wait (busy timeout, then retries: writeWithRetries) instead of failing mid-transaction.
 */
export function write<T>(db: Database, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const previous = writeQueues.get(db) ?? Promise.resolve();
  const run = previous.then(() => writeWithRetries(db, work));
  writeQueues.set(db, run.catch(() => undefined));
  return run;
}

/** Thrown when another process kept the database locked past WRITE_DEADLINE_MS. */
export class DatabaseBusyError extends Error {
  constructor(cause: unknown) {
    super(`The database stayed locked by another process for ${WRITE_DEADLINE_MS / 1000} s; nothing was written.`, { cause });
    this.name = 'DatabaseBusyError';
  }
}

/**
 * One queued write: on SQLITE_BUSY (another process holds the write lock past the busy
 * timeout) the connection is replaced, since after a failed BEGIN libSQL's connection
 * fails every later COMMIT ("SQL statements in progress", libsql-client-ts#352); then a
 * random pause and the whole transaction again, until WRITE_DEADLINE_MS. The work runs
 * inside a transaction that rolled back, so running it again is safe: it must only talk
 * to the database (no mail, no files), as every write here does.
 */
async function writeWithRetries<T>(db: Database, work: (tx: Transaction) => Promise<T>): Promise<T> {
  // Let requests waiting on the event loop in between queued writes.
  await new Promise((resolve) => setImmediate(resolve));
  const deadline = Date.now() + WRITE_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction(work, { behavior: 'immediate' });
    } catch (error) {
      if (!isLockedOut(error)) throw error;
      await db.$client.reconnect();
      if (Date.now() >= deadline) throw new DatabaseBusyError(error);
      const cap = Math.min(RETRY_PAUSE_CAP_MS, 25 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
    }
  }
}

/** SQLITE_BUSY, or the broken connection one leaves behind, anywhere in drizzle's chain of causes. */
function isLockedOut(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && e.code.startsWith('SQLITE_BUSY')) return true;
    if (typeof e.message === 'string' && /database is locked|SQL statements in progress/.test(e.message)) return true;
  }
  return false;
}

/** Waits until every write queued in this process has finished (at shutdown, before closing). */
export async function drainWrites(db: Database): Promise<void> {
  for (let last = writeQueues.get(db); last; ) {
    await last;
    const next = writeQueues.get(db);
    if (next === last) return;
    last = next;
  }
}

/**
 * A consistent copy of a file database while it is in use: SQLite's VACUUM INTO reads
 * one snapshot, so writers carry on and the copy is a complete, compacted database.
 */
export async function backupDatabase(db: Database, targetPath: string): Promise<void> {
  mkdirSync(dirname(resolve(targetPath)), { recursive: true });
  await db.$client.execute({ sql: 'VACUUM INTO ?', args: [resolve(targetPath)] });
}

/**
 * The process's one database handle, opened on first use from the configuration, or the
 * one the server provided before it loaded a build (provideDatabase): every build the
 * server runs then shares one client and one write queue.
 */
export function getDb(): Promise<Database> {
  return (processWide[SHARED_DB] ??= openDatabase()) as Promise<Database>;
}

/** Makes `db` the handle getDb() returns in this process, for every build it loads. */
export function provideDatabase(db: Database): void {
  processWide[SHARED_DB] = Promise.resolve(db);
}
