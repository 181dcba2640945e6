/**
 * `npm start`: build when needed, then serve the portal and say where.
 * Settings come from the environment (see README, "Configuration").
 */
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../server/build.ts';
import { serve } from '../server/serve.ts';
import { loadServerConfig } from '../server/config.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

try {
  const config = loadServerConfig(process.env);
  ensureBuilt(root);
  const { url } = await serve({ distDir: `${root}/dist`, ...config });
  console.log(`\nThe portal is running at ${url}\nPress Ctrl+C to stop.\n`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
