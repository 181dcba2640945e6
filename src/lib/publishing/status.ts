import { eq, inArray } from 'drizzle-orm';
import { contentEdits, users } from '#db/schema.ts';
import type { Database } from '#lib/db.ts';
import { entryIdFromPath } from '#lib/content/source-files.ts';
import type { EditedCollectionName } from '#lib/content/taxonomy.ts';
import { recentPublishes, runningPublish } from './publishes.ts';
import { publishService, type LiveState } from './service.ts';
import { diffManifests, entryPaths, manifestOf } from './snapshot.ts';

/**
 * What the dashboard says about publishing: whether this server can publish, what is
 * live, which entries were saved since and so are not published yet (and who saved
 * them), the publish under way and the recent ones.
 */

export interface UnpublishedChange {
  path: string;
  collection: EditedCollectionName;
  id: string;
  change: 'added' | 'changed' | 'removed';
  savedBy: string | null;
  savedAt: Date | null;
}

export async function publishingStatus(db: Database, contentDir: string) {
  const service = publishService();
  const live: LiveState | null = service?.live() ?? null;
  let unpublished: UnpublishedChange[] = [];
  if (live) {
    const changes = diffManifests(live.manifest, manifestOf(contentDir));
    // An entry once: a resource whose entry and file both changed is one row; a new or
    // replaced file under an entry that stays is a change of that entry.
    const rows: { path: string; change: 'added' | 'changed' | 'removed' }[] = [];
    const seen = new Set<string>();
    for (const change of ['added', 'removed', 'changed'] as const) {
      for (const path of entryPaths(changes[change])) {
        if (seen.has(path)) continue;
        seen.add(path);
        const own = changes[change].includes(path);
        rows.push({ path, change: own ? change : 'changed' });
      }
    }
    const edits = rows.length
      ? await db
          .select({ path: contentEdits.path, at: contentEdits.at, name: users.displayName })
          .from(contentEdits)
          .leftJoin(users, eq(users.id, contentEdits.userId))
          .where(inArray(contentEdits.path, rows.map((r) => r.path)))
          .all()
      : [];
    unpublished = rows
      .map((r) => {
        const [collection, file] = r.path.split('/') as [EditedCollectionName, string];
        const edit = edits.find((e) => e.path === r.path);
        return { ...r, collection, id: entryIdFromPath(file), savedBy: edit?.name ?? null, savedAt: edit?.at ?? null };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
  }
  return { available: Boolean(service), live, unpublished, running: (await runningPublish(db)) ?? null, recent: await recentPublishes(db, 10) };
}
