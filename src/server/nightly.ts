import { nextNightlyRun, previousNightlyRun } from '#lib/publishing/schedule.ts';
import type { PublishService } from '#lib/publishing/service.ts';

/**
 * The nightly rebuild, without cron: at 00:05 UK time the server publishes its live
 * content again through the same path as an editor's publish, so an entry dated today
 * appears and an overdue guide shows its notice. A server that was not running at 00:05
 * (or whose live build is older than the last 00:05) catches up a minute after it
 * starts. If a publish is running at that moment it tries again five minutes later.
 * NIGHTLY_REBUILD=off turns it off (docs/operations.md).
 */

const RETRY_MS = 5 * 60 * 1000;
const CATCH_UP_MS = 60 * 1000;
/** setTimeout's ceiling (about 24.8 days); a longer wait is taken in steps. */
const MAX_TIMEOUT = 2 ** 31 - 1;

export function scheduleNightly(service: PublishService, clock: () => Date = () => new Date()): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const wait = (ms: number, then: () => void) => {
    timer = setTimeout(then, Math.max(0, Math.min(ms, MAX_TIMEOUT)));
    timer.unref();
  };

  const arm = () => {
    if (stopped) return;
    const at = nextNightlyRun(clock());
    const fire = () => {
      const left = at.getTime() - clock().getTime();
      if (left > 0) return wait(left, fire);
      void rebuild();
    };
    wait(at.getTime() - clock().getTime(), fire);
  };

  const rebuild = async () => {
    if (stopped) return;
    const started = await service.start({ kind: 'nightly', actor: null });
    if (!started.ok) return wait(RETRY_MS, () => void rebuild());
    arm();
  };

  if (service.live().builtAt.getTime() < previousNightlyRun(clock()).getTime()) wait(CATCH_UP_MS, () => void rebuild());
  else arm();

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
