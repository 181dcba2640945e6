/**
 * How every benchmark reports (bench/README.md): figures in British format, percentiles
 * of sorted timings, and a Markdown table after one line saying when, on what and how
 * busy the machine was (other work on it moves the figures; the load average says how much).
 */
import { availableParallelism, loadavg } from 'node:os';

/** A number with exactly `digits` decimals, British style: "1,234.5". */
export const fmt = (n: number, digits = 1) => n.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The p-th percentile of timings sorted in ascending order (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Prints the date, cores, Node, load average and `about`, then the table. */
export function printReport(about: string, headers: string[], rows: string[][]): void {
  const widths = headers.map((header, c) => Math.max(header.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores, Node ${process.versions.node}, load average ${load}${about ? `, ${about}` : ''}\n`);
  console.log([line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n'));
}
