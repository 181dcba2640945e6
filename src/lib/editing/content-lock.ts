import { perProcess } from '#lib/process.ts';

/**
 * One change to the content folder at a time in this process: an editor's save (checked
 * against what that editor last saw, then written) and a publish's snapshot never
 * interleave. Shared by every build the server has loaded.
 */
const queue = perProcess('content-lock', () => ({ tail: Promise.resolve() as Promise<unknown> }));

export function withContentLock<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.tail.then(work);
  queue.tail = run.catch(() => undefined);
  return run;
}
