import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../../src/server/build.ts';
import { serve } from '../../src/server/serve.ts';
import { assertChromium } from './chromium.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the portal if the sources changed, then serves the real build on a free port. */
export default async function globalSetup() {
  assertChromium();
  ensureBuilt(root);
  const { server, url } = await serve({ distDir: `${root}/dist`, host: '127.0.0.1', port: 0, publicOrigin: new URL('http://localhost:4321') });
  // Workers start after this returns and inherit the environment.
  process.env.E2E_BASE_URL = url.origin;
  return async () => {
    await new Promise((resolve) => server.close(resolve));
  };
}
