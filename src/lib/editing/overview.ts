import { isReleased } from '#lib/content/audience.ts';
import { checkFiles, type CheckReport } from '#lib/content/check/index.ts';
import { parseFrontmatter } from '#lib/content/frontmatter.ts';
import { reviewStatus, type ReviewStatus } from '#lib/content/review.ts';
import { editedSchemas, type EntryData } from '#lib/content/schemas.ts';
import { contentPath, entryIdFromPath, readSources } from '#lib/content/source-files.ts';
import type { EditedCollectionName } from '#lib/content/taxonomy.ts';
import { entryUrl } from '#lib/content/urls.ts';
import { editUrl, previewUrl } from './keystatic-config.ts';

/**
 * What the editors' dashboard shows about the library as saved in the content folder:
 * every entry with its state (draft, scheduled, released), every guide's review status,
 * and the content checks' findings.
 */

export interface OverviewEntry {
  collection: EditedCollectionName;
  id: string;
  /** Path inside the content folder, e.g. "guides/x.mdx". */
  path: string;
  title: string;
  owner: string | null;
  audience: EntryData['audience'] | null;
  draft: boolean;
  published: Date | null;
  reviewDue: Date | null;
  reviewStatus: ReviewStatus | null;
  /** Where it is (or will be) read; null while it is a draft or its frontmatter is broken. */
  liveHref: string | null;
  /** Released as of now: published and not a draft. */
  released: boolean;
  editHref: string;
  previewHref: string;
  /** The schema accepts its frontmatter. */
  valid: boolean;
}

export interface LibraryOverview {
  entries: OverviewEntry[];
  report: CheckReport;
}

export function libraryOverview(contentDir: string, now = new Date()): LibraryOverview {
  const files = readSources(contentDir);
  const entries = files.map((file): OverviewEntry => {
    const frontmatter = parseFrontmatter(file.source);
    const raw = frontmatter.ok ? frontmatter.data : {};
    const id = entryIdFromPath(file.relPath, raw.slug);
    const parsed = editedSchemas[file.collection].safeParse(raw);
    const data = parsed.success ? (parsed.data as EntryData & { reviewDue?: Date }) : undefined;
    const reviewDue = data?.reviewDue instanceof Date ? data.reviewDue : null;
    const released = data ? isReleased(data, { now, production: true }) : false;
    return {
      collection: file.collection,
      id,
      path: contentPath(file),
      title: data?.title ?? (typeof raw.title === 'string' ? raw.title : file.relPath),
      owner: data?.owner ?? null,
      audience: data?.audience ?? null,
      draft: data?.draft ?? false,
      published: data?.published ?? null,
      reviewDue,
      reviewStatus: reviewDue ? reviewStatus(reviewDue, now) : null,
      liveHref: data && !data.draft ? entryUrl({ collection: file.collection, id, data }) : null,
      released,
      editHref: editUrl(file.collection, id),
      previewHref: previewUrl(file.collection, id),
      valid: Boolean(data),
    };
  });
  return { entries, report: checkFiles(files, { contentDir, now }) };
}

export type GuideSort = 'due' | 'title' | 'owner';

/** Guides with a review date, filtered by owner and sorted; overdue first when sorted by due date. */
export function reviewTable(entries: OverviewEntry[], options: { owner?: string; sort?: GuideSort }): OverviewEntry[] {
  const rows = entries.filter((e) => e.reviewDue && (!options.owner || e.owner === options.owner));
  const by: Record<GuideSort, (a: OverviewEntry, b: OverviewEntry) => number> = {
    due: (a, b) => a.reviewDue!.getTime() - b.reviewDue!.getTime() || a.title.localeCompare(b.title),
    title: (a, b) => a.title.localeCompare(b.title),
    owner: (a, b) => (a.owner ?? '').localeCompare(b.owner ?? '') || a.reviewDue!.getTime() - b.reviewDue!.getTime(),
  };
  return rows.sort(by[options.sort ?? 'due']);
}
