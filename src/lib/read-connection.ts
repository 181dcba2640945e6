/**
 * drizzle's typed selects, outside a transaction, on an embedded file database, run on a
 * connection of their own that returns rows as plain arrays (decision 038).
 *
 * drizzle reads a typed select's rows by position. @libsql/client first makes each row an
 * object with a named and a numbered property per column, each set with
 * `Object.defineProperty`, which leaves the object slow to read back: for a thread page's
 * twenty posts that was about 230 µs of the 400 the query took (measured), more than
 * SQLite's own work. This connection comes from the same `libsql` package the client
 * opens its own connections with, and returns SQLite's rows as they are.
 *
 * What goes there is narrow on purpose: statements that begin with `select` (every select
 * drizzle writes does; a write with RETURNING begins with insert, update or delete and
 * stays on the client, in the write queue), with parameters that need no conversion.
 * Anything else, and any failure, takes the client's own path, so a caller sees the
 * client's results and errors (LibsqlError with its code) as before.
 */
import type { Client } from '@libsql/client';
import { createTableRelationsHelpers, extractTablesRelationalConfig, type RelationalSchemaConfig, type TablesRelationalConfig } from 'drizzle-orm';
import { LibSQLDatabase } from 'drizzle-orm/libsql';
import { LibSQLSession } from 'drizzle-orm/libsql/session';
import { fillPlaceholders } from 'drizzle-orm/sql';
import { SQLiteAsyncDialect, type PreparedQueryConfig } from 'drizzle-orm/sqlite-core';
import { libsqlDatabaseClass } from './statement-cache.ts';

interface RawStatement {
  raw(on: boolean): RawStatement;
  all(params: unknown[]): unknown[][];
}
interface RawConnection {
  prepare(sql: string): RawStatement;
  defaultSafeIntegers(on: boolean): void;
  close(): void;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The rows of a select as arrays, or undefined when the client must run it. */
type ReadRows = (sql: string, params: unknown[]) => unknown[][] | undefined;

/** A parameter the connection binds as the client would: anything else goes through the client's conversion. */
function bindsAsIs(value: unknown): boolean {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || Buffer.isBuffer(value);
}

/** Opens the connection on `file` (it must exist), with the client's busy timeout. */
function openRawConnection(file: string, timeoutMs: number): { read: ReadRows; close(): void } {
  const Database = libsqlDatabaseClass() as new (path: string, options: { timeout: number }) => RawConnection;
  const connection = new Database(file, { timeout: timeoutMs });
  // Integers as BigInts, so that one beyond 2^53 is seen, as the client sees it.
  connection.defaultSafeIntegers(true);
  let open = true;
  return {
    read(sql, params) {
      if (!open || !params.every(bindsAsIs)) return undefined;
      const rows = connection.prepare(sql).raw(true).all(params);
      // Integers as the client gives them (its default intMode, "number"): refused beyond 2^53.
      for (const row of rows) {
        for (let i = 0; i < row.length; i++) {
          const value = row[i];
          if (typeof value !== 'bigint') continue;
          if (value < MIN_SAFE || value > MAX_SAFE) throw new RangeError('Received integer which cannot be safely represented as a JavaScript number');
          row[i] = Number(value);
        }
      }
      return rows;
    },
    close() {
      open = false;
      connection.close();
    },
  };
}

/** A session whose typed selects (not a transaction's: drizzle gives those a session of their own) try the connection first. */
class ReadConnectionSession<TFull extends Record<string, unknown>, TSchema extends TablesRelationalConfig> extends LibSQLSession<TFull, TSchema> {
  private readonly read: ReadRows;

  constructor(client: Client, dialect: SQLiteAsyncDialect, schema: RelationalSchemaConfig<TSchema>, read: ReadRows) {
    super(client, dialect, schema, {}, undefined);
    this.read = read;
  }

  override prepareQuery<T extends Omit<PreparedQueryConfig, 'run' | 'statement'>>(...args: Parameters<LibSQLSession<TFull, TSchema>['prepareQuery']>) {
    const prepared = super.prepareQuery<T>(...args);
    const { sql, params } = args[0];
    if (!sql.startsWith('select ')) return prepared;
    const viaClient = prepared.values.bind(prepared);
    // `values` is what drizzle's typed `all` and `get` read rows through, by position.
    prepared.values = async (placeholderValues) => {
      try {
        const rows = this.read(sql, fillPlaceholders(params, placeholderValues ?? {}));
        if (rows) return rows;
      } catch {
        // The client runs it again (a select changes nothing) and reports its own error, if any.
      }
      return viaClient(placeholderValues);
    };
    return prepared;
  }
}

/**
 * drizzle over `client`, as `drizzle(client, { schema })`, with its typed selects on a read
 * connection to `file`. Closing the client closes that connection too.
 */
export function drizzleWithReadConnection<TSchema extends Record<string, unknown>>(client: Client, file: string, schema: TSchema, timeoutMs: number): LibSQLDatabase<TSchema> & { $client: Client } {
  const connection = openRawConnection(file, timeoutMs);
  const closeClient = client.close.bind(client);
  client.close = () => {
    connection.close();
    closeClient();
  };
  const dialect = new SQLiteAsyncDialect();
  const tables = extractTablesRelationalConfig(schema, createTableRelationsHelpers);
  const relational = { fullSchema: schema, schema: tables.tables, tableNamesMap: tables.tableNamesMap } as RelationalSchemaConfig<TablesRelationalConfig>;
  const session = new ReadConnectionSession(client, dialect, relational, connection.read);
  const db = new LibSQLDatabase('async', dialect, session as never, relational as never) as LibSQLDatabase<TSchema> & { $client: Client };
  db.$client = client;
  return db;
}
