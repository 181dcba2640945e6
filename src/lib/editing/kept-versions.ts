import { and, desc, eq, isNull } from 'drizzle-orm';
import { keptVersions, users } from '#db/schema.ts';
import { auditIn } from '#lib/auth/audit.ts';
import { write, type Database } from '#lib/db.ts';
import { refuse, type Result } from '#lib/result.ts';

/**
 * Text that was not written to the content folder, kept so that no editor's work is
 * lost: a save refused because someone else had changed the entry first ('conflict'),
 * or unpublished work that a rollback replaced ('rollback'). Editors read them on the
 * dashboard, copy what they need back into the editor, and mark them dealt with.
 */

export type KeptReason = (typeof keptVersions.$inferSelect)['reason'];

export async function keepVersions(db: Database, input: { userId: number | null; reason: KeptReason; files: { path: string; bytes: Uint8Array }[] }): Promise<number[]> {
  if (!input.files.length) return [];
  const rows = await write(db, (tx) =>
    tx
      .insert(keptVersions)
      .values(input.files.map((f) => ({ path: f.path, reason: input.reason, userId: input.userId, content: Buffer.from(f.bytes) })))
      .returning({ id: keptVersions.id }),
  );
  return rows.map((r) => r.id);
}

const listed = {
  id: keptVersions.id,
  path: keptVersions.path,
  reason: keptVersions.reason,
  createdAt: keptVersions.createdAt,
  resolvedAt: keptVersions.resolvedAt,
  author: users.displayName,
};

/** Kept versions nobody has marked dealt with yet, newest first. */
export function openKeptVersions(db: Database) {
  return db.select(listed).from(keptVersions).leftJoin(users, eq(users.id, keptVersions.userId)).where(isNull(keptVersions.resolvedAt)).orderBy(desc(keptVersions.createdAt)).all();
}

/** One kept version with its content, or undefined. */
export function keptVersion(db: Database, id: number) {
  return db.select({ ...listed, content: keptVersions.content }).from(keptVersions).leftJoin(users, eq(users.id, keptVersions.userId)).where(eq(keptVersions.id, id)).get();
}

/** Marks a kept version dealt with (it stays in the table, out of the dashboard's list). */
export async function resolveKeptVersion(db: Database, actor: { userId: number; ip: string | null }, id: number, now = new Date()): Promise<Result> {
  return write(db, async (tx) => {
    const row = await tx.select({ id: keptVersions.id, path: keptVersions.path, resolvedAt: keptVersions.resolvedAt }).from(keptVersions).where(eq(keptVersions.id, id)).get();
    if (!row) return refuse('not-found', 'There is no such kept version.');
    if (row.resolvedAt) return refuse('unchanged', 'That kept version was already marked dealt with.');
    await tx.update(keptVersions).set({ resolvedAt: now, resolvedBy: actor.userId }).where(and(eq(keptVersions.id, id), isNull(keptVersions.resolvedAt)));
    await auditIn(tx, { actorId: actor.userId, action: 'kept-version-resolve', outcome: 'success', targetType: 'kept-version', targetId: id, ip: actor.ip, detail: { path: row.path } }, now);
    return { ok: true };
  });
}
