import { rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Database } from '#lib/db.ts';
import type { PublishService } from '#lib/publishing/service.ts';
import { takeSnapshot } from '#lib/publishing/snapshot.ts';
import { CODE_SOURCES, ensureBuilt, isBuildCurrent, type BuildTarget } from './build.ts';
import { readLive, type LiveBuild } from './builds.ts';
import { scheduleNightly } from './nightly.ts';
import { startPublisher } from './publisher.ts';
import { serve, type LiveSite } from './serve.ts';

/**
 * How the portal starts serving, for `npm start` and the end-to-end suite alike: the last
 * published build if there is one and the code has not changed since (a restart never
 * publishes saved-but-unpublished text); that build's content rebuilt if the code changed
 * (a deploy); otherwise the usual build of the content folder. Then publishing starts,
 * and the nightly rebuild unless it is turned off. With several processes
 * (src/server/cluster.ts) the first process chooses the build once, and only the leader
 * publishes; the others forward publishes to it and follow the build it switches to.
 */

export interface PortalOptions {
  root: string;
  db: Database;
  host: string;
  port: number;
  publicOrigin: URL;
  contentDir: string;
  buildsDir: string;
  /** The build to make and serve when nothing was published yet (default: content/ into dist/). */
  firstBuild?: BuildTarget;
  nightly: boolean;
  /** TRUSTED_PROXIES: whose forwarded headers are believed (./forwarded.ts). */
  trustedProxies?: readonly string[];
}

/** The build to serve first, built now if need be (once, before any server process starts). */
export function chooseLiveBuild(options: Pick<PortalOptions, 'root' | 'contentDir' | 'buildsDir' | 'firstBuild'>): LiveBuild {
  const { root, contentDir, buildsDir } = options;
  if (relative(root, buildsDir).startsWith('..') || isAbsolute(relative(root, buildsDir))) {
    throw new Error('Configuration error: BUILDS_DIR must be a folder inside the project (a build loads packages from its node_modules)');
  }
  const published = readLive(buildsDir);
  let startedWith: LiveBuild;
  if (published && isCurrent(root, published)) {
    startedWith = published;
  } else if (published) {
    // The code changed since the last publish: rebuild the published content, not the working copy.
    const dist = join(root, 'dist');
    ensureBuilt(root, process.env, { outDir: dist, contentDir: published.snapshot, sources: [...CODE_SOURCES, published.snapshot] });
    startedWith = { ...published, dist, builtAt: new Date().toISOString() };
  } else {
    const target = options.firstBuild ?? { outDir: 'dist' };
    ensureBuilt(root, process.env, target);
    const dist = resolve(root, target.outDir);
    // What the first build was made from, for "changed since published" and the nightly rebuild.
    const snapshot = join(buildsDir, 'initial', 'content');
    rmSync(snapshot, { recursive: true, force: true });
    takeSnapshot(contentDir, snapshot);
    startedWith = { publishId: null, dist, snapshot, builtAt: statSync(join(dist, '.built-at')).mtime.toISOString() };
  }
  return startedWith;
}

/** A process's part when there are several (src/server/cluster.ts); one process plays both. */
export interface ServeRole {
  /** What chooseLiveBuild chose; chosen here when not given (one process). */
  startedWith?: LiveBuild;
  /** The leader tells the other processes each build it switches to. */
  announce?: (live: LiveBuild) => void;
  /** A follower: its publishes go to the leader, and it switches when told. */
  follower?: (site: LiveSite, startedWith: LiveBuild) => PublishService;
}

export async function servePortal(options: PortalOptions, role: ServeRole = {}) {
  const { root, db, contentDir, buildsDir } = options;
  const startedWith = role.startedWith ?? chooseLiveBuild(options);
  const { server, url, site } = await serve({ distDir: startedWith.dist, host: options.host, port: options.port, publicOrigin: options.publicOrigin, db, trustedProxies: options.trustedProxies });
  if (role.follower) return { server, url, site, publisher: role.follower(site, startedWith), stop: () => {} };
  const publisher: PublishService = await startPublisher({
    root,
    contentDir,
    buildsDir,
    db,
    site,
    startedWith,
    committer: { name: 'NMSN portal', email: `portal@${options.publicOrigin.hostname}` },
    announce: role.announce,
  });
  const nightly = options.nightly ? scheduleNightly(publisher) : null;
  return { server, url, site, publisher, stop: () => nightly?.stop() };
}

/** A published build is current until the code changes (its content, a snapshot, never does). */
const isCurrent = (root: string, live: LiveBuild) => isBuildCurrent(root, { outDir: live.dist, sources: CODE_SOURCES });
