/**
 * `npm run build`: `astro build`, refused at once with one line when a production build
 * lacks SITE_URL or FEEDBACK_EMAIL (src/lib/config.ts, productionBuildProblem).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig, productionBuildProblem } from '#lib/config.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

try {
  loadConfig(process.env); // a bad setting stops here, with one line
  const problem = productionBuildProblem(process.env);
  if (problem) throw new Error(problem);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
const result = spawnSync(process.execPath, [fileURLToPath(new URL('../../node_modules/astro/bin/astro.mjs', import.meta.url)), 'build', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
