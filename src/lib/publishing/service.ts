import { perProcessValue } from '#lib/process.ts';
import type { Result } from '#lib/result.ts';
import type { PublishActor, PublishKind } from './publishes.ts';
import type { Manifest } from './snapshot.ts';

/**
 * Publishing runs in the server process, beside the builds it loads (src/server/
 * publisher.ts); pages and actions, which live inside a build, reach it through this
 * per-process handle. Under `astro dev` or any other host there is none, and the
 * dashboard says publishing needs the portal's own server (`npm start`).
 */

export interface PublishRequest {
  kind: PublishKind;
  /** Who asked, as the git author; null for the nightly rebuild. */
  actor: (PublishActor & { name: string; email: string }) | null;
  /** For a rollback: the publish whose content to restore. */
  restoresId?: number;
}

export interface LiveState {
  /** The publish the live build came from; null for the build the server started with. */
  publishId: number | null;
  builtAt: Date;
  /** The files the live build was made from. */
  manifest: Manifest;
}

export interface PublishService {
  /** Starts a publish unless one is running (a 'conflict' refusal then); it carries on after this returns. */
  start(request: PublishRequest): Promise<Result<{ publishId: number }>>;
  live(): LiveState;
  /** Whether a publish's files are still kept, so the library can be rolled back to it. */
  canRestore(build: string | null): boolean;
  /** Resolves when the publish under way, if any, has ended. */
  settled(): Promise<void>;
}

export const PUBLISHER = 'publisher';

export function publishService(): PublishService | null {
  return perProcessValue<PublishService>(PUBLISHER) ?? null;
}
