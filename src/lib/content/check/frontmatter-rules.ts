import { join } from 'node:path';
import { formatDate } from '#lib/content/dates.ts';
import { resourceFileFacts } from '#lib/resources/file-facts.ts';
import { DUE_SOON_DAYS, reviewStatus } from '#lib/content/review.ts';
import { editedSchemas, SUMMARY_ADVICE } from '#lib/content/schemas.ts';
import type { CheckedEntry } from './entries.ts';
import type { Finding } from './findings.ts';

/** Errors: frontmatter that is not YAML, that the collection's schema rejects, or that has keys it does not declare. */
export function frontmatterErrors(entry: CheckedEntry): Finding[] {
  const { frontmatter, path: file } = entry;
  if (!frontmatter.ok) return [{ severity: 'error', rule: 'frontmatter', file, line: frontmatter.line, message: frontmatter.message }];

  const findings: Finding[] = entry.schemaIssues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const missing = issue.path.length === 1 && frontmatter.data[key] === undefined;
    return {
      severity: 'error',
      rule: 'frontmatter',
      file,
      line: frontmatter.keyLines.get(key) ?? frontmatter.endLine,
      field: issue.path.map(String).join('.') || undefined,
      message: missing ? 'is missing: every entry of this collection needs it' : issue.message,
    };
  });

  // The build would drop unknown keys silently, but Keystatic refuses to open such an entry.
  const declared = new Set(Object.keys(editedSchemas[entry.file.collection].shape));
  for (const key of Object.keys(frontmatter.data)) {
    if (declared.has(key)) continue;
    findings.push({
      severity: 'error',
      rule: 'frontmatter',
      file,
      line: frontmatter.keyLines.get(key),
      field: key,
      message: `is not a field of ${entry.file.collection}: remove it or correct its name (the browser editor cannot open an entry with unknown fields)`,
    });
  }
  return findings;
}

/** Warnings: a summary outside the advised length. */
export function summaryWarnings(entry: CheckedEntry): Finding[] {
  const summary = entry.data?.summary;
  if (!summary || !entry.frontmatter.ok) return [];
  const line = entry.frontmatter.keyLines.get('summary');
  const { min, max } = SUMMARY_ADVICE;
  if (summary.length > max) {
    return [{ severity: 'warning', rule: 'summary-length', file: entry.path, line, field: 'summary', message: `is ${summary.length} characters; aim for ${max} or fewer (search results cut longer ones)` }];
  }
  if (summary.length < min) {
    return [{ severity: 'warning', rule: 'summary-length', file: entry.path, line, field: 'summary', message: `is ${summary.length} characters; aim for at least ${min}, a sentence that says what the page is for` }];
  }
  return [];
}

/** Warnings: a review date passed, or within the next DUE_SOON_DAYS days. */
export function reviewWarnings(entry: CheckedEntry, now: Date): Finding[] {
  const reviewDue = entry.data?.reviewDue;
  if (!(reviewDue instanceof Date) || !entry.frontmatter.ok) return [];
  const status = reviewStatus(reviewDue, now);
  if (status === 'current') return [];
  const line = entry.frontmatter.keyLines.get('reviewDue');
  const message =
    status === 'overdue'
      ? `review was due on ${formatDate(reviewDue)}: the page now tells readers it may be out of date`
      : `review is due on ${formatDate(reviewDue)}, within ${DUE_SOON_DAYS} days`;
  return [{ severity: 'warning', rule: 'review-due', file: entry.path, line, field: 'reviewDue', message }];
}

/**
 * Errors: a resource whose file the build would refuse (missing, outside content/resources,
 * a format the library does not accept, not what its name says, empty or over 25 MB), by
 * the build's own rule (src/lib/resources/file-facts.ts).
 */
export function resourceFileErrors(entry: CheckedEntry, contentDir: string): Finding[] {
  if (entry.file.collection !== 'resources' || !entry.data || !entry.frontmatter.ok) return [];
  const collectionDir = join(contentDir, 'resources');
  try {
    resourceFileFacts(join(collectionDir, entry.file.relPath), String(entry.data.file), collectionDir);
    return [];
  } catch (error) {
    // The build's message starts "<where>: file: "; the finding names the file and field itself.
    const message = (error instanceof Error ? error.message : String(error)).replace(/^.*?: file: /, '');
    return [{ severity: 'error', rule: 'resource-file', file: entry.path, line: entry.frontmatter.keyLines.get('file'), field: 'file', message }];
  }
}
