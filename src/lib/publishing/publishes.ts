import { and, desc, eq } from 'drizzle-orm';
import { publishes, users, type Publish } from '#db/schema.ts';
import { auditIn } from '#lib/auth/audit.ts';
import { write, type Database } from '#lib/db.ts';
import type { Finding } from '#lib/content/check/index.ts';
import type { Changes } from './snapshot.ts';

/**
 * The publishes table: one row per publish, nightly rebuild or rollback, written as it
 * goes (started, each step, the end), and an audit record when it ends.
 */

export type PublishKind = Publish['kind'];
export type PublishStep = 'snapshot' | 'checks' | 'build' | 'trial' | 'switch' | 'done';

export interface PublishActor {
  userId: number;
  ip: string | null;
}

export async function recordStart(db: Database, input: { kind: PublishKind; actor: PublishActor | null; restoresId?: number }, now = new Date()): Promise<number> {
  const [row] = await write(db, (tx) =>
    tx
      .insert(publishes)
      .values({ kind: input.kind, status: 'running', actorId: input.actor?.userId ?? null, restoresId: input.restoresId ?? null, startedAt: now, step: 'snapshot' })
      .returning({ id: publishes.id }),
  );
  return row!.id;
}

export async function recordStep(db: Database, id: number, step: PublishStep, build?: string): Promise<void> {
  await write(db, (tx) => tx.update(publishes).set({ step, ...(build ? { build } : {}) }).where(eq(publishes.id, id)));
}

interface Ending {
  actor: PublishActor | null;
  changes?: Changes;
  findings?: Finding[];
  message?: string | null;
  commitSha?: string | null;
}

async function finish(db: Database, id: number, status: 'succeeded' | 'failed', ending: Ending, now: Date): Promise<void> {
  await write(db, async (tx) => {
    const [row] = await tx
      .update(publishes)
      .set({
        status,
        finishedAt: now,
        ...(status === 'succeeded' ? { step: 'done' } : {}),
        changes: ending.changes ?? null,
        findings: ending.findings ?? null,
        message: ending.message ?? null,
        commitSha: ending.commitSha ?? null,
      })
      .where(eq(publishes.id, id))
      .returning();
    await auditIn(
      tx,
      {
        actorId: ending.actor?.userId ?? null,
        action: row!.kind === 'publish' ? 'publish' : row!.kind,
        outcome: status === 'succeeded' ? 'success' : 'failure',
        targetType: 'publish',
        targetId: id,
        ip: ending.actor?.ip ?? null,
        detail: {
          step: row!.step,
          ...(ending.changes ? { added: ending.changes.added, changed: ending.changes.changed, removed: ending.changes.removed } : {}),
          ...(ending.commitSha ? { commit: ending.commitSha } : {}),
          ...(row!.restoresId ? { restores: row!.restoresId } : {}),
          ...(status === 'failed' && ending.message ? { reason: ending.message.slice(0, 300) } : {}),
        },
      },
      now,
    );
  });
}

export const recordSuccess = (db: Database, id: number, ending: Ending, now = new Date()) => finish(db, id, 'succeeded', ending, now);
export const recordFailure = (db: Database, id: number, ending: Ending, now = new Date()) => finish(db, id, 'failed', ending, now);

/** A publish left running by a server that stopped: it did not finish, and says so. */
export async function failInterrupted(db: Database, now = new Date()): Promise<number> {
  const rows = await write(db, (tx) =>
    tx
      .update(publishes)
      .set({ status: 'failed', finishedAt: now, message: 'The server stopped before this publish finished; the site kept the version it had.' })
      .where(eq(publishes.status, 'running'))
      .returning({ id: publishes.id }),
  );
  return rows.length;
}

const withActor = {
  id: publishes.id,
  kind: publishes.kind,
  status: publishes.status,
  restoresId: publishes.restoresId,
  startedAt: publishes.startedAt,
  finishedAt: publishes.finishedAt,
  step: publishes.step,
  build: publishes.build,
  changes: publishes.changes,
  findings: publishes.findings,
  message: publishes.message,
  commitSha: publishes.commitSha,
  actorName: users.displayName,
};
export type PublishRow = Awaited<ReturnType<typeof recentPublishes>>[number];

export function recentPublishes(db: Database, limit = 20) {
  return db.select(withActor).from(publishes).leftJoin(users, eq(users.id, publishes.actorId)).orderBy(desc(publishes.id)).limit(limit).all();
}

export function publishById(db: Database, id: number) {
  return db.select(withActor).from(publishes).leftJoin(users, eq(users.id, publishes.actorId)).where(eq(publishes.id, id)).get();
}

export function runningPublish(db: Database) {
  return db.select(withActor).from(publishes).leftJoin(users, eq(users.id, publishes.actorId)).where(eq(publishes.status, 'running')).orderBy(desc(publishes.id)).get();
}

export function lastSucceeded(db: Database) {
  return db.select(withActor).from(publishes).leftJoin(users, eq(users.id, publishes.actorId)).where(and(eq(publishes.status, 'succeeded'))).orderBy(desc(publishes.id)).get();
}
