/**
 * Where Astro's own messages go (astro.config.mjs, `logger`). While the portal serves,
 * they join the portal's JSON log (src/lib/log.ts) with the request's id, instead of
 * free-form console lines; during `astro build`, `astro dev` and `astro check` they are
 * printed to the console as usual.
 */
import type { AstroLoggerDestination, AstroLoggerLevel, AstroLoggerMessage } from 'astro';
import consoleDestination from 'astro/logger/console';
import { isServing, log, withoutQueryParameters } from '#lib/log.ts';

// Terminal colour codes: meaningless in a JSON log.
const COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export default function portalLogger(options: { level?: AstroLoggerLevel } = {}): AstroLoggerDestination {
  const console = consoleDestination(options);
  return {
    write(event: AstroLoggerMessage) {
      if (!isServing()) return console.write(event);
      if (event.level === 'silent') return;
      log()[event.level]({ source: 'astro', label: event.label ?? undefined }, withoutQueryParameters(event.message.replace(COLOURS, '')));
    },
  };
}
