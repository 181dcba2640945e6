import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLISHER, type LiveState, type PublishRequest, type PublishService } from '#lib/publishing/service.ts';
import { manifestOf } from '#lib/publishing/snapshot.ts';
import { providePerProcess } from '#lib/process.ts';
import { refuse, type Result } from '#lib/result.ts';
import type { LiveBuild } from './builds.ts';
import { loadHandler, type LiveSite } from './serve.ts';

/**
 * WEB_CONCURRENCY=N: N server processes on one port (node:cluster), sharing the database
 * file. The primary process chooses and builds the live build once, then forks the
 * workers and replaces any that dies. The first worker is the leader: it alone runs what
 * must happen once (publishing, the nightly rebuild, the mail worker). The others
 * forward an editor's Publish to it through the primary, and switch to each build the
 * leader switches to, so every process serves the same library.
 */

/** What a worker is told when it starts. */
interface Role {
  type: 'role';
  leader: boolean;
  startedWith: LiveBuild;
}
type Message =
  | Role
  | { type: 'hello' }
  | { type: 'listening'; url: string }
  | { type: 'publish'; id: number; request: PublishRequest; from?: number }
  | { type: 'published'; id: number; result: Result<{ publishId: number }>; to?: number }
  | { type: 'live'; live: LiveBuild }
  | { type: 'leaving' }
  | { type: 'left' };

/** A replacement for a worker that died is not forked sooner than this after the last. */
const RESTART_PAUSE_MS = 1000;

/**
 * The primary: forks `count` workers, gives each its role, relays publishes to the
 * leader and switches to the followers. Resolves with the URL once all are listening.
 * SIGTERM (or Ctrl+C) is passed on to every worker, which stops gracefully; the primary
 * exits when they all have.
 */
export function runPrimary(count: number, startedWith: LiveBuild): Promise<string> {
  let live = startedWith;
  let leader: Worker | undefined;
  let stopping = false;
  const fork = (asLeader: boolean) => {
    const worker = cluster.fork();
    if (asLeader) leader = worker;
    worker.on('message', (message: Message) => {
      if (message.type === 'hello') {
        worker.send({ type: 'role', leader: asLeader, startedWith: live } satisfies Role);
      } else if (message.type === 'publish') {
        // No leader at this instant (it is being replaced): the editor is told to try again.
        if (leader?.isConnected()) leader.send({ ...message, from: worker.id });
        else worker.send({ type: 'published', id: message.id, result: refuse('conflict', 'Publishing is restarting. Try again in a minute.') });
      } else if (message.type === 'published') {
        cluster.workers?.[message.to!]?.send(message);
      } else if (message.type === 'leaving') {
        worker.send({ type: 'left' } satisfies Message);
      } else if (message.type === 'live') {
        live = message.live;
        for (const other of Object.values(cluster.workers ?? {})) if (other && other !== worker) other.send(message);
      }
    });
    return worker;
  };

  /** Workers being replaced on purpose (a rolling restart): their exit starts no other. */
  const retiring = new Set<Worker>();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping || retiring.delete(worker)) return;
    console.error(`A server process stopped (${signal ?? `exit ${code}`}); starting another.`);
    const wasLeader = worker === leader;
    if (wasLeader) leader = undefined;
    setTimeout(() => fork(wasLeader), RESTART_PAUSE_MS).unref();
  });

  /** Stops a worker gracefully (SIGTERM) and waits for it; its exit starts no other. */
  const retire = async (worker: Worker) => {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    retiring.add(worker);
    worker.process.kill('SIGTERM');
    await exited;
  };
  const running = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w) && !w!.isDead());

  const stop = async () => {
    stopping = true;
    await Promise.all(running().map(retire));
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  /**
   * SIGHUP: a rolling restart, to give back the memory of earlier builds. The workers are
   * replaced one at a time, and the port always has a listening process behind it: a
   * follower's successor listens before it stops; the leader stops first (the others
   * serve meanwhile, and a Publish pressed then is told to try again), then its successor
   * takes the lead. Each stop is graceful (SIGTERM).
   */
  let restarting = false;
  const rollingRestart = async () => {
    if (restarting || stopping) return;
    restarting = true;
    console.error('Rolling restart: replacing the server processes one at a time.');
    const old = running();
    try {
      for (const worker of old.filter((w) => w !== leader)) {
        await listening(fork(false));
        await retire(worker);
      }
      if (leader && old.includes(leader)) {
        await retire(leader);
        leader = undefined;
        await listening(fork(true));
      }
      console.error('Rolling restart: done.');
    } catch (error) {
      // A process that cannot start is replaced as a crashed one is; the old ones left keep serving.
      console.error(`Rolling restart stopped: ${(error as Error).message}`);
    } finally {
      restarting = false;
    }
  };
  process.on('SIGHUP', () => void rollingRestart());

  const workers = Array.from({ length: count }, (_, i) => fork(i === 0));
  return Promise.all(workers.map(listening)).then(([url]) => url!);
}

/** Resolves with a worker's URL once it listens; rejects if it exits first. */
function listening(worker: Worker): Promise<string> {
  return new Promise((resolve, reject) => {
    const onExit = () => reject(new Error('A new server process stopped before it listened.'));
    const onMessage = (message: Message) => {
      if (message.type !== 'listening') return;
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(message.url);
    };
    worker.on('message', onMessage);
    worker.once('exit', onExit);
  });
}

/** In a worker: asks the primary for its role (once listening for the answer, so it cannot be missed). */
export function receiveRole(): Promise<Role> {
  return new Promise((resolve) => {
    const onMessage = (message: Message) => {
      if (message.type !== 'role') return;
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
    process.send?.({ type: 'hello' } satisfies Message);
  });
}

/** In a worker: tells the primary it serves at `url`. */
export function reportListening(url: string): void {
  process.send?.({ type: 'listening', url } satisfies Message);
}

/**
 * In a worker that has stopped listening: resolves once the primary hands it no more
 * connections. Until the primary has read that the worker closed, it may still hand one
 * over, which the worker sends back to be given to another, if it is still alive: a
 * connection handed to a process that has exited is never answered. Messages keep their
 * order both ways, so the answer to this one comes after any such connection.
 */
export function leaveRotation(): Promise<void> {
  if (!cluster.isWorker) return Promise.resolve();
  return new Promise((resolve) => {
    const onMessage = (message: Message) => {
      if (message.type !== 'left') return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    process.send?.({ type: 'leaving' } satisfies Message);
  });
}

/** The leader: runs the publishes that followers forward, and announces its switches. */
export function leadPublishing(publisher: PublishService): void {
  process.on('message', async (message: Message) => {
    if (message.type !== 'publish') return;
    const result = await publisher.start(message.request);
    process.send?.({ type: 'published', id: message.id, result, to: message.from } satisfies Message);
  });
}

export function announceLive(live: LiveBuild): void {
  process.send?.({ type: 'live', live } satisfies Message);
}

/**
 * A follower's publishing service: Publish goes to the leader (the answer, such as "a
 * publish is already running", comes back from it); a switch the leader announces loads
 * that build here too. Progress and history are read from the database by the pages.
 */
export function followerPublisher(buildsDir: string) {
  return (site: LiveSite, startedWith: LiveBuild): PublishService => {
    let live = { build: startedWith, manifest: manifestOf(startedWith.snapshot) };
    let switching = Promise.resolve();
    let nextId = 0;
    const waiting = new Map<number, (result: Result<{ publishId: number }>) => void>();
    process.on('message', (message: Message) => {
      if (message.type === 'published') {
        waiting.get(message.id)?.(message.result);
        waiting.delete(message.id);
      } else if (message.type === 'live') {
        const build = message.live;
        // One switch at a time, in the order announced.
        switching = switching.then(async () => {
          site.swap(await loadHandler(build.dist), build.dist);
          live = { build, manifest: manifestOf(build.snapshot) };
        });
      }
    });
    const service: PublishService = {
      start(request) {
        const id = nextId++;
        return new Promise((resolve) => {
          waiting.set(id, resolve);
          process.send?.({ type: 'publish', id, request } satisfies Message);
        });
      },
      live(): LiveState {
        return { publishId: live.build.publishId, builtAt: new Date(live.build.builtAt), manifest: live.manifest };
      },
      canRestore: (build) => Boolean(build) && existsSync(join(buildsDir, build!, 'content')),
      settled: () => switching,
    };
    providePerProcess(PUBLISHER, service);
    return service;
  };
}
