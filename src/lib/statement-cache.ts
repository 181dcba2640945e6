/**
 * Keeps each connection's compiled SQL statements for reuse (embedded file databases).
 *
 * `@libsql/client` compiles every statement anew (`prepare`) on each `execute`, and asks
 * it for its columns twice; drizzle's `.prepare()` only builds the SQL text once. For a
 * thread page that was about 60 % of the time spent in SQLite: compiling drizzle's
 * long column lists costs far more than running the lookups (docs/decisions/036). The
 * client creates its connections with the `libsql` package's `Database`, and reuses a
 * statement safely — binding runs it from the start, and a statement that has run to
 * its end holds no snapshot — so `prepare` on that class answers from a small cache per
 * connection, keyed by the SQL text.
 *
 * Its columns are kept with it. A statement with a `*` column list is compiled each time
 * as before: a migration that adds a column changes it, and SQLite would compile it again
 * only when run, after the client has asked for the old columns (a test shows it).
 */
import { createRequire } from 'node:module';

/** Per connection: enough for every distinct query the portal makes, bounded for drizzle's `IN (?, ?, …)` lists of any length. */
export const STATEMENTS_PER_CONNECTION = 256;

interface Statement {
  columns(): unknown[];
}
interface DatabaseClass {
  prototype: { prepare(sql: string): Statement };
}

const installed = Symbol.for('nmsn.statementCache');
/** `x.*` or `select *`: a column list that a migration could change; `count(*)` is not one. */
const STAR_COLUMNS = /(?:\.|\bselect\s+(?:distinct\s+)?)\*/i;

/** The `libsql` package's `Database` class: the copy @libsql/client itself loads, wherever npm put it. */
export function libsqlDatabaseClass(): unknown {
  return createRequire(import.meta.resolve('@libsql/client'))('libsql');
}

/** Once per process (the server loads this module from src/ and from its build): later calls do nothing. */
export function cacheStatements(): void {
  const Database = libsqlDatabaseClass() as DatabaseClass & { [installed]?: true };
  if (Database[installed]) return;
  Database[installed] = true;
  const prepare = Database.prototype.prepare;
  const caches = new WeakMap<object, Map<string, Statement>>();
  Database.prototype.prepare = function prepareOnce(this: object, sql: string): Statement {
    let cache = caches.get(this);
    if (!cache) caches.set(this, (cache = new Map()));
    const kept = cache.get(sql);
    if (kept) {
      // Least recently used last out: a hit moves to the end of the map's order.
      cache.delete(sql);
      cache.set(sql, kept);
      return kept;
    }
    const statement = prepare.call(this, sql);
    if (STAR_COLUMNS.test(sql)) return statement;
    keepColumns(statement);
    cache.set(sql, statement);
    if (cache.size > STATEMENTS_PER_CONNECTION) cache.delete(cache.keys().next().value!);
    return statement;
  };
}

/** Asks SQLite once; a statement that returns no rows throws, as before, each time. */
function keepColumns(statement: Statement): void {
  const columnsOf = statement.columns.bind(statement);
  let columns: unknown[] | undefined;
  statement.columns = () => (columns ??= columnsOf());
}
