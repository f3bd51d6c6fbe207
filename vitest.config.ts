import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real proxies take 6-30 s to start on a loaded 2-core machine, and LiteLLM retries failed upstream calls.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // Integration tests start real LiteLLM proxies (about 1 GB of memory each): keep a few at a time.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      // Unit tests import src/ only: no bundle is built for them (`npx vitest run test/unit` takes seconds).
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // The rest runs the real bundle (dist/), so the build runs first, once, when any of them is queued.
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'], globalSetup: ['test/helpers/global-setup.ts'] } },
    ],
  },
});
