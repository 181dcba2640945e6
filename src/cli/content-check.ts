/**
 * `npm run content:check [-- --json] [-- --dir <folder>]`: the content checks over the
 * content folder (CONTENT_DIR, default content/). One line per finding with file, line
 * and field; `--json` prints the report as JSON instead. Exit status 1 when there is an
 * error (warnings alone pass), 2 for wrong usage.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { checkContent, formatReport } from '#lib/content/check/index.ts';
import { contentDir } from '#lib/content/source-files.ts';

let options: { json?: boolean; dir?: string };
try {
  ({ values: options } = parseArgs({ options: { json: { type: 'boolean' }, dir: { type: 'string' } } }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\nUsage: npm run content:check [-- --json] [-- --dir <folder>]`);
  process.exit(2);
}

const result = checkContent({ contentDir: options.dir ? resolve(options.dir) : contentDir() });
console.log(options.json ? JSON.stringify(result, null, 2) : formatReport(result));
process.exitCode = result.errors > 0 ? 1 : 0;
