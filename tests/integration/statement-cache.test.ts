/**
 * Compiled statements kept per connection (src/lib/statement-cache.ts), against real
 * libSQL files: a statement is compiled once and reused; reused statements answer for
 * their new values and see other connections' writes; they hold no snapshot that would
 * stop a checkpoint; a `*` column list follows a migration; the cache stays bounded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, write } from '#lib/db.ts';
import { cacheStatements, libsqlDatabaseClass, STATEMENTS_PER_CONNECTION } from '#lib/statement-cache.ts';

interface RawStatement {
  raw(on: boolean): RawStatement;
  all(...values: unknown[]): unknown[][];
}
interface RawDatabase {
  prepare(sql: string): RawStatement;
  exec(sql: string): void;
  close(): void;
}
const LibsqlDatabase = libsqlDatabaseClass() as new (path: string) => RawDatabase;

let dir: string;
beforeAll(() => {
  cacheStatements();
  dir = mkdtempSync(join(tmpdir(), 'nmsn-statements-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one connection', () => {
  it('compiles a statement once and answers each use for its own values', () => {
    const db = new LibsqlDatabase(join(dir, 'one.db'));
    db.exec('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2), (3), (4)');
    const first = db.prepare('SELECT a FROM t WHERE a > ? ORDER BY a');
    expect(db.prepare('SELECT a FROM t WHERE a > ? ORDER BY a')).toBe(first);
    expect(db.prepare('SELECT a FROM t WHERE a < ? ORDER BY a')).not.toBe(first);
    expect(first.raw(true).all(2)).toEqual([[3], [4]]);
    expect(first.raw(true).all(0)).toEqual([[1], [2], [3], [4]]);
    db.close();
  });

  it('keeps the most recently used statements, at most STATEMENTS_PER_CONNECTION', () => {
    const db = new LibsqlDatabase(join(dir, 'bounded.db'));
    const oldest = db.prepare('SELECT 0');
    const used = db.prepare('SELECT 1');
    for (let i = 2; i <= STATEMENTS_PER_CONNECTION; i += 1) {
      db.prepare(`SELECT ${i}`);
      if (i === STATEMENTS_PER_CONNECTION / 2) expect(db.prepare('SELECT 1')).toBe(used); // used again: moves to the end
    }
    // One more than the cache holds: the least recently used (SELECT 0) made room.
    expect(db.prepare('SELECT 1')).toBe(used);
    expect(db.prepare('SELECT 0')).not.toBe(oldest);
    db.close();
  });

  it('gives every connection statements of its own', () => {
    const path = join(dir, 'two.db');
    const a = new LibsqlDatabase(path);
    const b = new LibsqlDatabase(path);
    expect(a.prepare('SELECT 1')).not.toBe(b.prepare('SELECT 1'));
    a.close();
    b.close();
  });
});

describe('through the portal’s database handle', () => {
  it('sees another connection’s writes at once, and holds nothing that stops a checkpoint', async () => {
    const url = `file:${join(dir, 'portal.db')}`;
    const db = await openDatabase({ DATABASE_URL: url });
    await db.$client.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)');
    const other = createClient({ url });
    const countNotes = async () => Number((await db.$client.execute('SELECT count(id) AS n FROM notes')).rows[0]!.n);

    expect(await countNotes()).toBe(0);
    await other.execute("INSERT INTO notes (text) VALUES ('from another connection')");
    expect(await countNotes()).toBe(1);
    await write(db, (tx) => tx.run("INSERT INTO notes (text) VALUES ('through the queue')"));
    expect(await countNotes()).toBe(2);

    // A kept statement that held a read snapshot would make TRUNCATE report busy (first column 1).
    const checkpoint = await other.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    expect(checkpoint.rows[0]![0]).toBe(0);
    other.close();
    db.$client.close();
  });

  it('answers a `*` column list with the columns a later migration added', async () => {
    const db = await openDatabase({ DATABASE_URL: `file:${join(dir, 'star.db')}` });
    await db.$client.execute('CREATE TABLE people (name TEXT)');
    await db.$client.execute("INSERT INTO people VALUES ('Ada')");
    expect((await db.$client.execute('SELECT * FROM people')).columns).toEqual(['name']);
    await db.$client.execute("ALTER TABLE people ADD COLUMN role TEXT DEFAULT 'member'");
    const after = await db.$client.execute('SELECT * FROM people');
    expect(after.columns).toEqual(['name', 'role']);
    expect(after.rows[0]!.role).toBe('member');
    db.$client.close();
  });
});
