import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '#lib/db.ts';
import { recordEdits } from '#lib/editing/conflicts.ts';
import { keepVersions } from '#lib/editing/kept-versions.ts';
import { manifestOf, restoreSnapshot, type Manifest } from './snapshot.ts';

/**
 * The content half of a rollback: the content folder made to hold exactly an earlier
 * publish's files (its snapshot). Files saved but not published at that moment (they
 * differ from the live build's) are kept as 'rollback' kept versions first, so no one's
 * work is lost; the files it wrote or removed are recorded as the editor's edits, so a
 * browser that opened them before is told on its next save. The publisher then publishes
 * the folder like any other publish.
 */
export async function rollBackContent(
  db: Database,
  input: { contentDir: string; snapshotDir: string; liveManifest: Manifest; userId: number | null },
): Promise<{ kept: number[]; touched: string[] }> {
  const { contentDir, snapshotDir, liveManifest, userId } = input;
  const working = manifestOf(contentDir);
  const unpublished = Object.keys(working).filter((path) => liveManifest[path] !== working[path]);
  const kept = await keepVersions(db, { userId, reason: 'rollback', files: unpublished.map((path) => ({ path, bytes: readFileSync(join(contentDir, path)) })) });
  const touched = restoreSnapshot(snapshotDir, contentDir);
  if (userId !== null) {
    const after = manifestOf(contentDir);
    await recordEdits(
      db,
      userId,
      touched.filter((p) => p in after).map((path) => ({ path, sha: after[path]! })),
      touched.filter((p) => !(p in after)),
    );
  }
  return { kept, touched };
}
