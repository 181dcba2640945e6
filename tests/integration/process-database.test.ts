/**
 * A server that swaps to a new build runs two copies of src/lib at once (each build
 * bundles its own). Both must use the process's one database client and one write
 * queue: two queues writing one file from one process collide (SQLITE_BUSY). Two copies
 * of the modules are made here as two builds would have them, then written through at once.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { freshDatabase } from './helpers.ts';

const root = new URL('../..', import.meta.url).pathname;
mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
const work = mkdtempSync(join(root, 'node_modules/.cache/process-db-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type DbModule = typeof import('#lib/db.ts');

/** A separate copy of db.ts and what it imports: a second module instance, as a second build has. */
async function copyOfDbModule(name: string): Promise<DbModule> {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const file of ['db.ts', 'config.ts', 'process.ts', 'read-connection.ts', 'statement-cache.ts']) cpSync(join(root, 'src/lib', file), join(dir, file));
  return (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'db.ts')).href)) as DbModule;
}

describe('two builds in one process', () => {
  it('share the database the server provides, and its one write queue', async () => {
    const t = await freshDatabase();
    try {
      const oldBuild = await copyOfDbModule('old');
      const newBuild = await copyOfDbModule('new');
      expect(oldBuild).not.toBe(newBuild);

      oldBuild.provideDatabase(t.db);
      expect(await oldBuild.getDb()).toBe(t.db);
      expect(await newBuild.getDb()).toBe(t.db);

      await t.db.run(sql`CREATE TABLE swap_writes (n INTEGER NOT NULL)`);
      // Overlapping write transactions from both copies, each holding the lock a little while.
      const writes = Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? oldBuild : newBuild).write(t.db, async (tx) => {
          await tx.run(sql`INSERT INTO swap_writes (n) VALUES (${i})`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }),
      );
      const results = await Promise.allSettled(writes);
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const count = await t.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM swap_writes`);
      expect(count.n).toBe(40);
    } finally {
      t.cleanup();
    }
  });
});
