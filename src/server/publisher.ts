import { createServer } from 'node:http';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkContent, type Finding } from '#lib/content/check/index.ts';
import { type Database } from '#lib/db.ts';
import { withContentLock } from '#lib/editing/content-lock.ts';
import { commitSnapshot } from '#lib/publishing/git.ts';
import { failInterrupted, publishById, recordFailure, recordStart, recordStep, recordSuccess, type PublishStep } from '#lib/publishing/publishes.ts';
import { PUBLISHER, type LiveState, type PublishRequest, type PublishService } from '#lib/publishing/service.ts';
import { rollBackContent } from '#lib/publishing/rollback.ts';
import { diffManifests, manifestOf, takeSnapshot } from '#lib/publishing/snapshot.ts';
import { providePerProcess } from '#lib/process.ts';
import { refuse } from '#lib/result.ts';
import { formatDateTime } from '#lib/time.ts';
import { buildFolderName, buildSite, pruneBuilds, readLive, writeLive, type LiveBuild } from './builds.ts';
import { loadHandler, type LiveSite, type NodeHandler } from './serve.ts';

/**
 * One-click publishing, in the server process: snapshot the content folder, run the
 * content checks, build into a new folder inside the project while the live site keeps
 * serving, try the new build on a private port, then switch the running server to it
 * (no restart, no failed request) and record it (publishes table, audit log, a git
 * commit with the editor as author where the content is in a repository). A failure at
 * any step leaves the live site exactly as it was and says what went wrong. One publish
 * at a time per process. The nightly rebuild and rollbacks take the same path.
 */

export interface PublisherOptions {
  /** The project root, where `astro build` runs. */
  root: string;
  contentDir: string;
  buildsDir: string;
  db: Database;
  site: LiveSite;
  /** Who the portal commits as, e.g. "NMSN portal <portal@portal.example.org>". */
  committer: { name: string; email: string };
  /** What is live at start: the build's folder and the content it was built from. */
  startedWith: LiveBuild;
  /** Called with each build switched to, for the portal's other processes (src/server/cluster.ts). */
  announce?: (live: LiveBuild) => void;
}

/** Why a publish stopped, and the content checks' errors when they stopped it. */
class PublishFailure extends Error {
  readonly findings: Finding[] | undefined;
  constructor(message: string, findings?: Finding[]) {
    super(message);
    this.findings = findings;
  }
}

export async function startPublisher(options: PublisherOptions): Promise<PublishService> {
  const { root, contentDir, buildsDir, db, site, committer } = options;
  await failInterrupted(db);
  let live: LiveBuild = options.startedWith;
  let liveManifest = manifestOf(live.snapshot);
  let running: Promise<void> | null = null;
  let runningSince: { id: number; by: string; at: Date } | null = null;

  async function step(id: number, name: PublishStep, build?: string) {
    await recordStep(db, id, name, build);
  }

  async function run(id: number, request: PublishRequest, now: Date): Promise<void> {
    const folder = buildFolderName(id, now);
    const dir = join(buildsDir, folder);
    const snapshot = join(dir, 'content');
    const dist = join(dir, 'dist');
    const actor = request.actor ? { userId: request.actor.userId, ip: request.actor.ip } : null;
    try {
      await step(id, 'snapshot', folder);
      const manifest = await withContentLock(async () => {
        if (request.kind === 'rollback') await restore(request);
        // The nightly rebuild publishes what is live again (for dates), never unpublished saves.
        return takeSnapshot(request.kind === 'nightly' ? live.snapshot : contentDir, snapshot);
      });
      const changes = diffManifests(liveManifest, manifest);

      await step(id, 'checks');
      const report = checkContent({ contentDir: snapshot, publicDir: join(root, 'public'), now });
      const errors = report.findings.filter((f) => f.severity === 'error');
      if (errors.length) throw new PublishFailure(`The content checks found ${errors.length} ${errors.length === 1 ? 'error' : 'errors'}: fix them in the editor and publish again.`, errors);

      await step(id, 'build');
      const built = await buildSite(root, { contentDir: snapshot, outDir: dist, cacheDir: join(buildsDir, '.cache') });
      if (!built.ok) throw new PublishFailure(`The build failed:\n${built.error}`);
      writeFileSync(join(dist, '.built-at'), now.toISOString());

      await step(id, 'trial');
      const handler = await loadHandler(dist);
      await tryBuild(handler);

      await step(id, 'switch');
      const previous = live;
      site.swap(handler, dist);
      live = { publishId: id, dist, snapshot, builtAt: now.toISOString() };
      liveManifest = manifest;
      writeLive(buildsDir, live);
      options.announce?.(live);

      const history =
        request.kind === 'nightly'
          ? ({ kind: 'unchanged', sha: null } as const)
          : await commitSnapshot({ contentDir, snapshotDir: snapshot, message: commitMessage(id, request, changes), author: request.actor, committer });
      await recordSuccess(db, id, {
        actor,
        changes,
        findings: report.findings,
        commitSha: history.kind === 'committed' || history.kind === 'unchanged' ? history.sha : null,
        message: history.kind === 'failed' ? `Published, but the git commit could not be made: ${history.reason}` : null,
      });
      pruneBuilds(buildsDir, [dist, previous.dist]);
    } catch (error) {
      const failure = error instanceof PublishFailure ? error : new PublishFailure(error instanceof Error ? error.message : String(error));
      await recordFailure(db, id, { actor, findings: failure.findings, message: failure.message });
      if (live.dist !== dist) rmSync(dir, { recursive: true, force: true });
    }
  }

  /** A rollback: the content folder back to an earlier publish's files; unpublished work kept. */
  async function restore(request: PublishRequest) {
    const target = request.restoresId ? await publishById(db, request.restoresId) : undefined;
    const targetSnapshot = target?.build ? join(buildsDir, target.build, 'content') : null;
    if (!target || target.status !== 'succeeded' || !targetSnapshot || !existsSync(targetSnapshot)) {
      throw new PublishFailure('That version’s files are no longer kept, so it cannot be restored.');
    }
    await rollBackContent(db, { contentDir, snapshotDir: targetSnapshot, liveManifest, userId: request.actor?.userId ?? null });
  }

  const service: PublishService = {
    async start(request) {
      if (running) {
        const who = runningSince ? ` (started by ${runningSince.by} at ${formatDateTime(runningSince.at)})` : '';
        return refuse('conflict', `A publish is already running${who}. Wait for it to finish, then publish again if you need to.`);
      }
      const now = new Date();
      const id = await recordStart(db, { kind: request.kind, actor: request.actor, restoresId: request.restoresId }, now);
      runningSince = { id, by: request.actor?.name ?? 'the nightly rebuild', at: now };
      running = run(id, request, now).finally(() => {
        running = null;
        runningSince = null;
      });
      return { ok: true, publishId: id };
    },
    live(): LiveState {
      return { publishId: live.publishId, builtAt: new Date(live.builtAt), manifest: liveManifest };
    },
    canRestore(build) {
      return Boolean(build) && existsSync(join(buildsDir, build!, 'content'));
    },
    async settled() {
      await running;
    },
  };
  providePerProcess(PUBLISHER, service);
  return service;
}

/**
 * Asks the new build for a few pages on a private port before any reader gets it: a
 * build that cannot render its home page never goes live.
 */
async function tryBuild(handler: NodeHandler): Promise<void> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    for (const path of ['/', '/guides', '/search']) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      await response.arrayBuffer();
      if (response.status !== 200) throw new PublishFailure(`The new build answered ${response.status} for ${path}, so it was not switched to.`);
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

function commitMessage(id: number, request: PublishRequest, changes: { added: string[]; changed: string[]; removed: string[] }): string {
  const title = request.kind === 'rollback' ? `Roll back the library to publish #${request.restoresId} (publish #${id})` : `Publish #${id} of the library`;
  const lines = [
    ...changes.added.map((p) => `added ${p}`),
    ...changes.changed.map((p) => `changed ${p}`),
    ...changes.removed.map((p) => `removed ${p}`),
  ];
  return `${title}\n\n${lines.join('\n') || 'No files changed.'}\n`;
}
