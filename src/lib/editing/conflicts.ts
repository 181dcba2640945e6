import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { contentEdits, editorViews, users } from '#db/schema.ts';
import { write, type Database } from '#lib/db.ts';

/**
 * Two editors, one entry. Keystatic's save carries no base version, so the server
 * remembers, per session, the tree (file → sha) the editor's browser last received. A
 * save of a file whose sha on disk is no longer the one that browser had means someone
 * else changed it after this editor opened it: the save is refused and its text kept
 * (kept-versions.ts), so neither change is lost. Per session, not per tab: two tabs of one
 * editor share what they have seen.
 */

/** Git's blob id of some bytes, as Keystatic computes it for its tree. */
export function blobSha(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

function shaOnDisk(contentDir: string, path: string): string | null {
  try {
    return blobSha(readFileSync(join(contentDir, path)));
  } catch {
    return null;
  }
}

interface TreeEntry {
  path: string;
  type: string;
  sha: string;
}

/** Remembers the tree a session's browser was just given (a tree or update answer). */
export async function recordSeenTree(db: Database, sessionId: string, entries: TreeEntry[], now = new Date()): Promise<void> {
  const tree = Object.fromEntries(entries.filter((e) => e.type === 'blob').map((e) => [e.path, e.sha]));
  await write(db, (tx) =>
    tx.insert(editorViews).values({ sessionId, tree, seenAt: now }).onConflictDoUpdate({ target: editorViews.sessionId, set: { tree, seenAt: now } }),
  );
}

export interface Conflict {
  path: string;
  /** Who last saved the file through the editor, if anyone did. */
  changedBy: string | null;
  changedAt: Date | null;
}

/**
 * The paths whose file changed since this session's browser last saw the tree: edited,
 * created or deleted by someone else. A path absent from both is a new entry: no conflict.
 */
export async function findConflicts(db: Database, contentDir: string, sessionId: string, paths: string[]): Promise<Conflict[]> {
  const view = await db.select({ tree: editorViews.tree }).from(editorViews).where(eq(editorViews.sessionId, sessionId)).get();
  const seen = view?.tree ?? {};
  const changed = paths.filter((path) => (seen[path] ?? null) !== shaOnDisk(contentDir, path));
  if (!changed.length) return [];
  const edits = await db
    .select({ path: contentEdits.path, at: contentEdits.at, name: users.displayName })
    .from(contentEdits)
    .leftJoin(users, eq(users.id, contentEdits.userId))
    .where(inArray(contentEdits.path, changed))
    .all();
  return changed.map((path) => {
    const edit = edits.find((e) => e.path === path);
    return { path, changedBy: edit?.name ?? null, changedAt: edit?.at ?? null };
  });
}

/** Records who saved which files (null sha: deleted). */
export async function recordEdits(db: Database, userId: number, saved: { path: string; sha: string }[], deleted: string[], now = new Date()): Promise<void> {
  const rows = [...saved.map((s) => ({ path: s.path, sha: s.sha as string | null })), ...deleted.map((path) => ({ path, sha: null }))];
  if (!rows.length) return;
  await write(db, async (tx) => {
    for (const row of rows) {
      await tx
        .insert(contentEdits)
        .values({ ...row, userId, at: now })
        .onConflictDoUpdate({ target: contentEdits.path, set: { sha: row.sha, userId, at: now } });
    }
  });
}
