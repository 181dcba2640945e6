import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { sourceKinds, type SourceData } from './schemas.ts';

/**
 * The register of cited pages, content/sources.yaml: one record per page, keyed by id.
 * Entries name the ids they rely on, so each page's address, title and the day it was
 * last checked live in one place, and a page cited by ten entries is checked once.
 */
export const SOURCES_FILE = 'sources.yaml';

/** The raw records of the register in `contentDir` (none when the folder has no register, as in test builds). */
export function readSourceRecords(contentDir: string): Record<string, unknown> {
  const file = join(contentDir, SOURCES_FILE);
  if (!existsSync(file)) return {};
  const records: unknown = parse(readFileSync(file, 'utf8'));
  if (records === null || records === undefined) return {};
  if (typeof records !== 'object' || Array.isArray(records)) {
    throw new Error(`${file}: must map each source id to its record (see the comment at the top of the file).`);
  }
  return records as Record<string, unknown>;
}

export interface CitedSource extends SourceData {
  id: string;
}

/** Sources in the order a "Sources" section lists them: legislation and government, police, charities, the rest; otherwise as cited. */
export function orderSources<T extends Pick<SourceData, 'kind'>>(sources: readonly T[]): T[] {
  return sources
    .map((source, i) => ({ source, i }))
    .sort((a, b) => sourceKinds.indexOf(a.source.kind) - sourceKinds.indexOf(b.source.kind) || a.i - b.i)
    .map(({ source }) => source);
}
