/**
 * The portal as an operator runs it: `npm start` (src/cli/start.ts) in a child process
 * of its own, on its own database, serving the e2e build. For tests of what only a whole
 * process shows: its log, health checks, shutdown, crashes, several processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { e2eBuild } from './test-content.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface PortalProcess {
  child: ChildProcess;
  url: string;
  databaseUrl: string;
  /** Every line the process printed so far (its JSON log lines and the start-up text). */
  lines: string[];
  /** Its JSON log lines, parsed. */
  logs: () => Record<string, unknown>[];
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
}

/** A new file database in a temp folder, as a DATABASE_URL. */
export function newDatabaseUrl(): string {
  return `file:${join(mkdtempSync(join(tmpdir(), 'nmsn-process-')), 'portal.db')}`;
}

export async function startPortal(env: Record<string, string> = {}, databaseUrl = newDatabaseUrl()): Promise<PortalProcess> {
  const child = spawn(process.execPath, [join(root, 'src/cli/start.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      TOTP_ENCRYPTION_KEY: process.env.TOTP_ENCRYPTION_KEY!,
      BUILD_OUT_DIR: join(root, e2eBuild.outDir),
      CONTENT_DIR: join(root, e2eBuild.contentDir!),
      BUILD_CACHE_DIR: join(root, e2eBuild.cacheDir!),
      // Its own publish folder (inside the project: a build loads packages from its node_modules).
      BUILDS_DIR: mkdtempSync(join(root, 'node_modules/.cache/e2e/process-builds-')),
      NIGHTLY_REBUILD: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, so a crash can take all its processes at once (crashPortal).
    detached: true,
  });
  const lines: string[] = [];
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const match = /The portal is running at (\S+)/.exec(line);
        if (match) resolve(match[1]!.replace(/\/$/, ''));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`The portal exited (${code}) before serving:\n${lines.join('\n')}`)));
    setTimeout(() => reject(new Error(`The portal did not start in 60 s:\n${lines.join('\n')}`)), 60_000).unref();
  });
  const logs = () =>
    lines.flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return { child, url, databaseUrl, lines, logs, exited };
}

/** Stops a portal process and waits for it; SIGKILL if it has not ended in 15 s. */
export async function stopPortal(portal: PortalProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
  if (portal.child.exitCode === null && portal.child.signalCode === null) portal.child.kill(signal);
  const timer = setTimeout(() => portal.child.kill('SIGKILL'), 15_000);
  const code = await portal.exited;
  clearTimeout(timer);
  return code;
}

/** A power cut: SIGKILL to the portal and every process it forked, at once. */
export async function crashPortal(portal: PortalProcess): Promise<void> {
  process.kill(-portal.child.pid!, 'SIGKILL');
  await portal.exited;
}
