import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { count, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { auditLog } from '#db/schema.ts';
import { backupDatabase, migrateDatabase, openDatabase, write } from '#lib/db.ts';
import { audit } from '#lib/auth/audit.ts';
import { freshDatabase } from './helpers.ts';

const writer = fileURLToPath(new URL('./fixtures/acknowledged-writer.ts', import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('durability', () => {
  it('keeps every acknowledged write when the process is killed with SIGKILL', async () => {
    const t = await freshDatabase();
    t.db.$client.close();
    const child = spawn(process.execPath, [writer], { env: { ...process.env, DATABASE_URL: t.url }, stdio: ['ignore', 'pipe', 'inherit'] });
    let acknowledged = 0;
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const last = chunk.trim().split('\n').pop()!;
        acknowledged = Number(last.replace('ack ', ''));
        if (acknowledged >= 200 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));

    const db = await openDatabase({ DATABASE_URL: t.url });
    const row = await db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, 'durability-test')).get();
    expect(row!.n).toBeGreaterThanOrEqual(acknowledged);
    const integrity = await db.$client.execute('PRAGMA integrity_check');
    expect(integrity.rows[0]![0]).toBe('ok');
    db.$client.close();
    t.cleanup();
  });

  it('backs up online while writes go on, and the restored copy has everything up to the backup', async () => {
    const t = await freshDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'nmsn-backup-'));
    dirs.push(dir);
    for (let i = 0; i < 50; i++) await audit(t.db, { actorId: null, action: 'before-backup', outcome: 'success' });

    // Writers keep going while the backup runs.
    const during = Promise.all(Array.from({ length: 20 }, () => audit(t.db, { actorId: null, action: 'during-backup', outcome: 'success' })));
    await backupDatabase(t.db, join(dir, 'backup.db'));
    await during;

    // Restore as docs/operations.md says: copy the backup to where DATABASE_URL points, then start.
    const restoredPath = join(dir, 'restored.db');
    copyFileSync(join(dir, 'backup.db'), restoredPath);
    const restored = await openDatabase({ DATABASE_URL: `file:${restoredPath}` });
    expect((await migrateDatabase(restored)).wasEmpty).toBe(false);
    const before = await restored.select({ n: count() }).from(auditLog).where(eq(auditLog.action, 'before-backup')).get();
    expect(before!.n).toBe(50);
    expect((await restored.$client.execute('PRAGMA integrity_check')).rows[0]![0]).toBe('ok');
    // The restored database takes writes.
    await write(restored, (tx) => tx.insert(auditLog).values({ at: new Date(), actorId: null, action: 'after-restore', outcome: 'success' }));
    restored.$client.close();
    t.cleanup();
  });
});
