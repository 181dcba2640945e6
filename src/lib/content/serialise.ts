import yaml from 'js-yaml';

/**
 * Writes an entry file the way the browser editor (Keystatic) writes one, so a file made
 * here and then saved there does not change: frontmatter dumped by js-yaml with its
 * defaults, keys in the schema's order, dates as plain YYYY-MM-DD, `---` lines around
 * it and the body straight after.
 */

/** A date js-yaml writes as YYYY-MM-DD (it calls toISOString), as Keystatic's date field does. */
function dateOnly(date: Date): Date {
  const d = new Date(date.getTime());
  const text = date.toISOString().slice(0, 10);
  d.toISOString = () => text;
  d.toString = () => text;
  return d;
}

export function serialiseEntry(fields: Record<string, unknown>, keyOrder: readonly string[], body: string): string {
  const ordered: Record<string, unknown> = {};
  for (const key of keyOrder) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    ordered[key] = value instanceof Date ? dateOnly(value) : value;
  }
  return `---\n${yaml.dump(ordered)}---\n${body.replace(/^\n+/, '')}`;
}
