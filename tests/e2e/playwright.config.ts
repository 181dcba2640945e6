import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  globalSetup: './global-setup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  // The longest journeys (a forum thread's whole life, two editors, invitation: several
  // argon2id checks, builds and page loads) take 15-35 s on a 2-core machine with two
  // workers, and came near 60 s when something else loaded it too; 120 s leaves room.
  timeout: 120_000,
  reporter: 'list',
  use: {
    // The built portal, started by global-setup.ts on a free port.
    baseURL: process.env.E2E_BASE_URL,
    trace: 'retain-on-failure',
  },
  outputDir: '../../test-results',
});
