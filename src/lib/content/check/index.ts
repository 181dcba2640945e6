import { resolve } from 'node:path';
import { readSources, type SourceFile } from '#lib/content/source-files.ts';
import { codeErrors, headingErrors, imageErrors, syntaxErrors } from './body-rules.ts';
import { readEntry, type CheckedEntry } from './entries.ts';
import { report, type CheckReport, type Finding } from './findings.ts';
import { frontmatterErrors, resourceFileErrors, reviewWarnings, summaryWarnings } from './frontmatter-rules.ts';
import { linkFindings, type EntryIndex } from './link-rules.ts';

/**
 * The content checks (`npm run content:check`, every publish, the editors' dashboard):
 * everything the build would reject, and what it would let through but readers should
 * not get — broken links, members' links on public pages, images without alt text,
 * headings out of order, code in MDX, resources' files the build would refuse — with the
 * file, line and field of each.
 */

export interface CheckOptions {
  /** The content folder the files come from. */
  contentDir: string;
  /** The site's public/ folder (images given as /path). Default: public/ beside the content folder. */
  publicDir?: string;
  /** "Today" for review dates and scheduled entries. */
  now?: Date;
}

export function checkFiles(files: SourceFile[], options: CheckOptions): CheckReport {
  const now = options.now ?? new Date();
  const images = { contentDir: options.contentDir, publicDir: options.publicDir ?? resolve(options.contentDir, '../public') };
  const entries = files.map(readEntry);
  const { index, findings } = indexEntries(entries);
  for (const entry of entries) {
    findings.push(
      ...frontmatterErrors(entry),
      ...resourceFileErrors(entry, options.contentDir),
      ...syntaxErrors(entry),
      ...codeErrors(entry),
      ...headingErrors(entry),
      ...imageErrors(entry, images),
      ...linkFindings(entry, index, now),
      ...summaryWarnings(entry),
      ...reviewWarnings(entry, now),
    );
  }
  return report(findings, entries.length);
}

/** Checks every entry file in the content folder. */
export function checkContent(options: CheckOptions): CheckReport {
  return checkFiles(readSources(options.contentDir), options);
}

/** Entries by address, and an error for each pair of files the build would give the same address. */
function indexEntries(entries: CheckedEntry[]): { index: EntryIndex; findings: Finding[] } {
  const byKey = new Map<string, CheckedEntry[]>();
  for (const e of entries) {
    const key = `${e.file.collection}/${e.id}`;
    byKey.set(key, [...(byKey.get(key) ?? []), e]);
  }
  const index: EntryIndex = new Map();
  const findings: Finding[] = [];
  for (const [key, group] of byKey) {
    // Of duplicates, the file named exactly like its address stands for it, so its links still check.
    index.set(key, group.find((e) => e.file.relPath === `${e.id}.mdx`) ?? group[0]!);
    if (group.length < 2) continue;
    for (const e of group) {
      const others = group.filter((o) => o !== e).map((o) => o.path);
      findings.push({ severity: 'error', rule: 'duplicate-slug', file: e.path, message: `has the same address as ${others.join(', ')} (/${key}): rename one of them` });
    }
  }
  return { index, findings };
}

export { formatReport, formatFinding, type CheckReport, type Finding } from './findings.ts';
