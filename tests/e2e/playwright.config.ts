import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  globalSetup: './global-setup.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  // The longest journeys (invitation, authenticator, sign-in: several argon2id checks and
  // page loads) take 15-35 s on a busy 2-core machine with two workers; 60 s leaves room.
  timeout: 60_000,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    // The built portal, started by global-setup.ts on a free port.
    baseURL: process.env.E2E_BASE_URL,
    trace: 'retain-on-failure',
  },
  outputDir: '../../test-results',
});
