import type { ServerResponse } from 'node:http';
import { islandStyleFilter } from '#lib/island-styles.ts';

/**
 * Removes Astro's inline island style (src/lib/island-styles.ts) from an on-demand page as
 * Astro's handler writes it to `res`. Done here, on Node's writes, rather than in the
 * middleware: one more web stream around every page cost the thread page more than the
 * search itself. Call it once the headers are known: only a streamed HTML page (no
 * Content-Length to keep true) is filtered. Astro's handler writes the body as byte
 * chunks and ends with `end()`; anything else it writes (its error text) flushes what is
 * held and passes as it is.
 */
export function removeIslandStyleAsWritten(res: ServerResponse): void {
  if (!String(res.getHeader('Content-Type') ?? '').startsWith('text/html') || res.hasHeader('Content-Length')) return;
  const filter = islandStyleFilter();
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  const flushHeld = () => {
    const rest = filter.end();
    if (rest.length) write(rest);
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (!(chunk instanceof Uint8Array) || rest.length > 0) {
      flushHeld();
      return write(chunk, ...rest);
    }
    let ok = true;
    for (const part of filter.push(chunk)) ok = write(part);
    return ok;
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    if (args[0] instanceof Uint8Array) for (const part of filter.push(args.shift() as Uint8Array)) write(part);
    flushHeld();
    return end(...args);
  }) as ServerResponse['end'];
}
