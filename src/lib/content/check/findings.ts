/** What the content checks report: one finding per problem, pointing at the file, line and field. */

export type Severity = 'error' | 'warning';

/** Each rule, named once; the docs (docs/editors.md) list what each one means. */
export const ruleIds = [
  'frontmatter',
  'mdx-syntax',
  'mdx-code',
  'duplicate-slug',
  'internal-link',
  'members-link',
  'image',
  'heading',
  'review-due',
  'summary-length',
  'external-link',
  'resource-file',
] as const;
export type RuleId = (typeof ruleIds)[number];

export interface Finding {
  severity: Severity;
  rule: RuleId;
  /** Path inside the content folder, e.g. "guides/working-with-interpreters.mdx". */
  file: string;
  /** 1-based line in the file, when the problem has one. */
  line?: number;
  /** The frontmatter field, e.g. "reviewDue" or "topics.1". */
  field?: string;
  message: string;
}

export interface CheckReport {
  findings: Finding[];
  errors: number;
  warnings: number;
  /** How many entry files were checked. */
  files: number;
}

const severityOrder: Record<Severity, number> = { error: 0, warning: 1 };

export function report(findings: Finding[], files: number): CheckReport {
  const sorted = [...findings].sort(
    (a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || severityOrder[a.severity] - severityOrder[b.severity] || a.rule.localeCompare(b.rule),
  );
  return {
    findings: sorted,
    errors: sorted.filter((f) => f.severity === 'error').length,
    warnings: sorted.filter((f) => f.severity === 'warning').length,
    files,
  };
}

/** One line per finding, like a compiler: `guides/x.mdx:12: error [image] … (field)`. */
export function formatFinding(f: Finding): string {
  const where = f.line ? `${f.file}:${f.line}` : f.file;
  const field = f.field ? ` (${f.field})` : '';
  return `${where}: ${f.severity} [${f.rule}]${field} ${f.message}`;
}

export function formatReport(r: CheckReport): string {
  const lines = r.findings.map(formatFinding);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(`${plural(r.files, 'file')} checked: ${plural(r.errors, 'error')}, ${plural(r.warnings, 'warning')}.`);
  return lines.join('\n');
}
