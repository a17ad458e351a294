import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser suite needs Chromium; it runs with `npm run test:e2e` (vitest.e2e.config.ts).
    exclude: ['test/e2e/**', 'node_modules/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: two test files at a time, each against its own database.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
