/**
 * Summarises a V8 CPU profile (`node --cpu-prof` writes one as JSON on exit): the share
 * of busy time spent in each area (a package, our bundled code, Node itself, the garbage
 * collector) and the functions with the most self time. Idle time (the event loop waiting)
 * is left out of the shares, so they say where the work went.
 *
 *   node bench/cpu-profile.ts CPU.….cpuprofile [top=25]
 *
 * bench/forum.ts writes a profile of the server when BENCH_PROFILE=1; see bench/README.md.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, a chunk of the built server, Node, or V8's own work. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node (built-in modules)';
  const chunk = /\/dist\/server\/(.*)$/.exec(url) ?? /\/server\/(chunks\/.*|pages\/.*|entry\.mjs)$/.exec(url);
  if (chunk) return `build: ${chunk[1]!.replace(/_[\w-]{8}\.mjs$/, '.mjs')}`;
  const src = /\/(src|bench|db)\/(.*)$/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  return url;
}

export interface Summary {
  totalMs: number;
  idleMs: number;
  busyMs: number;
  areas: [string, number][];
  functions: [string, number][];
}

export function summarise(profile: CpuProfile): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let idleMs = 0;
  let totalMs = 0;
  for (const [id, ms] of self) {
    const frame = byId.get(id)!.callFrame;
    totalMs += ms;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const name = `${frame.functionName || '(anonymous)'} — ${area}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs, idleMs, busyMs: totalMs - idleMs, areas: sorted(areas), functions: sorted(functions) };
}

export function formatSummary(s: Summary, top = 25): string {
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1)} %`;
  const lines = [`busy ${(s.busyMs / 1000).toFixed(1)} s of ${(s.totalMs / 1000).toFixed(1)} s profiled (idle ${(s.idleMs / 1000).toFixed(1)} s)`, '', 'Self time by area:'];
  for (const [area, ms] of s.areas.slice(0, top)) lines.push(`  ${pct(ms).padStart(7)}  ${area}`);
  lines.push('', 'Self time by function:');
  for (const [fn, ms] of s.functions.slice(0, top)) lines.push(`  ${pct(ms).padStart(7)}  ${fn}`);
  return lines.join('\n');
}

if (import.meta.main) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/cpu-profile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(formatSummary(summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile), Number(top ?? 25)));
}
