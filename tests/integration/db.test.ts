import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Transaction as LibsqlTransaction } from '@libsql/client';
import { count, eq, getTableName, is, sql } from 'drizzle-orm';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '#db/schema.ts';
import { auditLog, sessions, throttleEvents, users } from '#db/schema.ts';
import { migrateDatabase, migrationsCurrent, openDatabase, write } from '#lib/db.ts';
import { audit } from '#lib/auth/audit.ts';
import { createSession } from '#lib/auth/sessions.ts';
import { createTestUser, freshDatabase, type TestDatabase } from './helpers.ts';

/** The message and code of an error and of every error it wraps (drizzle wraps libSQL's). */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: string; code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    parts.push(`${e.code ?? ''} ${e.message ?? ''}`);
  }
  return parts.join(' | ');
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The default pool size of @libsql/client's file mode (decision 008). */
const POOL_SIZE = 20;

/**
 * Opens `n` transactions at once. An open transaction holds its own pooled connection
 * for its lifetime, so this is the one way to be sure a check runs on `n` *different*
 * connections. DEFERRED takes no lock until the first write.
 */
async function onDistinctConnections(t: TestDatabase, n: number): Promise<LibsqlTransaction[]> {
  return Promise.all(Array.from({ length: n }, () => t.db.$client.transaction('deferred')));
}

let t: TestDatabase;
let userId: number;
beforeAll(async () => {
  t = await freshDatabase();
  userId = (await createTestUser(t.db)).user.id;
});
afterAll(() => t.cleanup());

describe('migrations', () => {
  it('create every table of db/schema.ts in an empty database, and say it was empty only the first time', async () => {
    const fresh = await freshDatabase(); // freshDatabase has already migrated once
    try {
      const tables = await fresh.db.$client.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'");
      const names = tables.rows.map((r) => String(r.name));
      // FTS5 virtual tables (if a migration adds them) bring shadow tables named after them.
      const virtual = tables.rows.filter((r) => /^CREATE VIRTUAL TABLE/i.test(String(r.sql))).map((r) => String(r.name));
      const ours = names.filter(
        (n) => !n.startsWith('sqlite_') && n !== '__drizzle_migrations' && !virtual.some((v) => n.startsWith(`${v}_`)),
      );
      const declared = Object.values(schema)
        .filter((value) => is(value, SQLiteTable))
        .map((table) => getTableName(table as SQLiteTable));
      expect(declared.length).toBeGreaterThanOrEqual(9);
      expect(ours.filter((n) => !virtual.includes(n)).sort()).toEqual(declared.sort());

      expect(await migrateDatabase(fresh.db)).toEqual({ wasEmpty: false });
    } finally {
      fresh.cleanup();
    }
  });

  it('report wasEmpty true on a new file, then false', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmsn-test-'));
    const db = await openDatabase({ DATABASE_URL: `file:${join(dir, 'new.db')}` });
    try {
      expect(await migrateDatabase(db)).toEqual({ wasEmpty: true });
      expect(await migrateDatabase(db)).toEqual({ wasEmpty: false });
    } finally {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are current only once the newest committed migration is applied (what /readyz asks)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nmsn-test-'));
    const db = await openDatabase({ DATABASE_URL: `file:${join(dir, 'new.db')}` });
    try {
      expect(await migrationsCurrent(db)).toBe(false);
      await migrateDatabase(db);
      expect(await migrationsCurrent(db)).toBe(true);
      // A database one migration behind this code.
      await db.$client.execute('DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)');
      expect(await migrationsCurrent(db)).toBe(false);
    } finally {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('connection settings', () => {
  it('enforce foreign keys on every pooled connection', async () => {
    // Many concurrent inserts through drizzle, spread over the pool.
    const attempts = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        t.db.insert(users).values({ email: `orphan-${i}@example.org`, displayName: 'Orphan', organisationId: 999_999, passwordHash: 'x' }),
      ),
    );
    for (const attempt of attempts) {
      expect(attempt.status).toBe('rejected');
      expect(describeError((attempt as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY constraint failed/);
    }

    // And on each of the pool's connections for certain: hold them all, try the insert on each.
    const held = await onDistinctConnections(t, POOL_SIZE);
    const refusals: string[] = [];
    for (const tx of held) {
      try {
        await tx.execute({
          sql: 'INSERT INTO users (email, display_name, organisation_id, password_hash) VALUES (?, ?, ?, ?)',
          args: [`held-${refusals.length}@example.org`, 'Orphan', 999_999, 'x'],
        });
        refusals.push('accepted');
      } catch (error) {
        refusals.push(describeError(error));
      } finally {
        await tx.rollback();
      }
    }
    expect(refusals).toHaveLength(POOL_SIZE);
    for (const refusal of refusals) expect(refusal).toMatch(/FOREIGN KEY constraint failed/);
    expect((await t.db.select({ n: count() }).from(users).get())!.n).toBe(1);
  });

  it('use WAL journaling and a busy timeout on every connection', async () => {
    const held = await onDistinctConnections(t, 5);
    try {
      for (const tx of held) {
        expect((await tx.execute('PRAGMA journal_mode')).rows[0]![0]).toBe('wal');
        expect(Number((await tx.execute('PRAGMA busy_timeout')).rows[0]![0])).toBe(1000);
        expect(Number((await tx.execute('PRAGMA foreign_keys')).rows[0]![0])).toBe(1);
      }
    } finally {
      await Promise.all(held.map((tx) => tx.rollback()));
    }
  });
});

describe('the write queue', () => {
  it('lets 50 overlapping writes all succeed', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        i % 2 ? createSession(t.db, userId) : audit(t.db, { actorId: userId, action: 'queue-test', outcome: 'success' }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await t.db.select({ n: count() }).from(sessions).where(eq(sessions.userId, userId)).get())!.n).toBe(25);
    expect((await t.db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, 'queue-test')).get())!.n).toBe(25);
  });

  it('is needed: 10 overlapping raw write transactions without it do not all succeed', async () => {
    // A second client on the same file with a 100 ms busy timeout instead of the app's 1 s:
    // the outcome is the same (the busy wait is a synchronous native call, so the holder
    // of the lock cannot commit while others wait), only sooner.
    const raw = createClient({ url: t.url, timeout: 100 });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, async (_, i) => {
          const tx = await raw.transaction('write');
          try {
            await tx.execute({ sql: 'INSERT INTO throttle_events (key, at) VALUES (?, ?)', args: [`raw-${i}`, Date.now()] });
            await tx.commit();
          } finally {
            tx.close();
          }
        }),
      );
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) expect(describeError(failure.reason)).toMatch(/SQLITE_BUSY|database is locked/);
    } finally {
      raw.close();
    }
    // The failed BEGINs left no lock behind: the queue still writes.
    await write(t.db, (tx) => tx.insert(throttleEvents).values({ key: 'after-raw', at: new Date() }));
  });

  it('outlasts another process holding the write lock past the busy timeout, and keeps writing after', async () => {
    // Another process (a CLI command, a second server) takes the write lock and keeps it for
    // 8 s: longer than the busy timeout (1 s), and than the 5 s this queue used to wait once.
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createClient } from '@libsql/client';
         const db = createClient({ url: process.env.HOLD_URL });
         const tx = await db.transaction('write');
         await tx.execute({ sql: 'INSERT INTO throttle_events (key, at) VALUES (?, ?)', args: ['held-by-another-process', Date.now()] });
         console.log('locked');
         setTimeout(async () => { await tx.commit(); db.close(); }, 8000);`,
      ],
      { cwd: root, env: { ...process.env, HOLD_URL: t.url }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    holder.stdout.on('data', (chunk) => (out += chunk));
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => out.includes('locked') && (clearInterval(timer), resolve()), 20);
      holder.once('exit', (code) => (clearInterval(timer), reject(new Error(`the lock holder exited (${code}) before locking`))));
    });

    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => write(t.db, (tx) => tx.insert(throttleEvents).values({ key: `while-locked-${i}`, at: new Date() }))),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => describeError((r as PromiseRejectedResult).reason))).toEqual([]);
    // The connection that met the lock was replaced: writes after it still commit.
    await write(t.db, (tx) => tx.insert(throttleEvents).values({ key: 'after-the-lock', at: new Date() }));
    const keys = (await t.db.select({ key: throttleEvents.key }).from(throttleEvents).all()).map((r) => r.key);
    for (const key of ['held-by-another-process', 'while-locked-0', 'while-locked-4', 'after-the-lock']) expect(keys).toContain(key);
  }, 60_000);

  it('lets four processes write at once, each transaction holding the lock a while, with no error', async () => {
    // Four server processes on one file (WEB_CONCURRENCY=4), each with its own queue: 50
    // writes each, every transaction keeping the lock ~5 ms. Without the retries in the
    // queue, some met SQLITE_BUSY and that process's later writes all failed (decision 008).
    const writer = (n: number) =>
      spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { sql } from 'drizzle-orm';
           const { openDatabase, write } = await import(${JSON.stringify(new URL('src/lib/db.ts', `file://${root}/`).href)});
           const db = await openDatabase({ DATABASE_URL: process.env.WRITE_URL });
           const errors = [];
           await Promise.all(Array.from({ length: 50 }, (_, i) =>
             write(db, async (tx) => {
               await tx.run(sql\`INSERT INTO throttle_events (key, at) VALUES (\${'process-${n}-' + i}, \${Date.now()})\`);
               await new Promise((resolve) => setTimeout(resolve, 5));
             }).catch((error) => errors.push(String(error?.cause ?? error)))));
           console.log(JSON.stringify({ errors }));
           db.$client.close();`,
        ],
        { cwd: root, env: { ...process.env, WRITE_URL: t.url }, stdio: ['ignore', 'pipe', 'inherit'] },
      );
    const outputs = await Promise.all(
      [1, 2, 3, 4].map(
        (n) =>
          new Promise<string>((resolve, reject) => {
            const child = writer(n);
            let out = '';
            child.stdout.on('data', (chunk) => (out += chunk));
            child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`writer ${n} exited with ${code}: ${out}`))));
          }),
      ),
    );
    expect(outputs.flatMap((out) => (JSON.parse(out.trim().split('\n').pop()!) as { errors: string[] }).errors)).toEqual([]);
    const written = await t.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM throttle_events WHERE key LIKE 'process-%'`);
    expect(written.n).toBe(200);
  }, 120_000);

  it('rolls back a failing transaction and goes on to the next write', async () => {
    const failing = write(t.db, async (tx) => {
      await tx.insert(throttleEvents).values({ key: 'rolled-back', at: new Date() });
      throw new Error('something went wrong half-way');
    });
    const next = write(t.db, (tx) => tx.insert(throttleEvents).values({ key: 'next', at: new Date() }));
    await expect(failing).rejects.toThrow('something went wrong half-way');
    await next;
    const keys = (await t.db.select({ key: throttleEvents.key }).from(throttleEvents).all()).map((r) => r.key);
    expect(keys).not.toContain('rolled-back');
    expect(keys).toContain('next');

    // A constraint failure inside the queue rolls back the statements before it, too.
    await expect(
      write(t.db, async (tx) => {
        await tx.insert(throttleEvents).values({ key: 'before-bad-insert', at: new Date() });
        await tx.insert(users).values({ email: 'orphan@example.org', displayName: 'Orphan', organisationId: 999_999, passwordHash: 'x' });
      }),
    ).rejects.toThrow();
    expect(await t.db.select().from(throttleEvents).where(eq(throttleEvents.key, 'before-bad-insert')).all()).toEqual([]);
    await write(t.db, (tx) => tx.insert(throttleEvents).values({ key: 'still-writing', at: new Date() }));
  });
});
